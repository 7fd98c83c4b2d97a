using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Sweeps;
using Shoal.Core.Streams;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Server.Broker;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>The pull agents' endpoints: lease (long-poll), heartbeat, complete one part or report many.</summary>
internal static class PullEndpoints
{
    public const double MaxWaitSeconds = 60;
    public const int MaxLease = 1000;
    public const int MaxLogChars = 64 * 1024;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithMetadata(AgentAccess.Instance);
        // Every call of an agent (its token checked) says it is alive.
        api.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.RequestServices.GetRequiredService<PullAgentRoster>().Seen(TokenAuth.Caller(context.HttpContext));
            return await next(context).ConfigureAwait(false);
        });
        api.MapPost("/lease", LeaseAsync).Takes<LeaseRequestDto>()
            .Produces<LeaseResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/parts/{id}/heartbeat", HeartbeatAsync).Takes<HeartbeatRequest>()
            .Produces<HeartbeatResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/parts/{id}/complete", CompleteAsync).Takes<CompleteRequest>()
            .Produces<CompleteResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/reports", ReportsAsync).Takes<ReportsRequest>()
            .Produces<ReportsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>The owner name of the calling agent in leases.</summary>
    public static string OwnerOf(TokenRecord token) => Broker.PullAgentRoster.OwnerOf(token);

    private static async Task<IResult> LeaseAsync(
        HttpContext http,
        Broker.WorkBroker leases,
        ConfigHolder config,
        TimeProvider time,
        Broker.WorkSignal signal,
        LeaseIdCodec codec,
        Sweeps.SweepLock sweepLock,
        Metrics.ShoalMetrics metrics,
        Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
        PullAgentRoster roster,
        CancellationToken ct)
    {
        var cfg = config.Current;
        var (body, error) = await JsonBody.ReadAsync<LeaseRequestDto>(http.Request, cfg.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        if (body.Types is not { Count: > 0 } || body.Types.Any(t => t is null))
        {
            return Problems.BadRequest("'types' must be a non-empty array of agent type names");
        }

        var token = TokenAuth.Caller(http);
        var tags = token.Tags;
        var limits = new List<TypeLimit>();
        var names = body.Types.Distinct().ToList();
        if (names.Contains(BuiltInTypes.Sweep))
        {
            // A zone's collector node: the hosts of its zone's sweeps, which only a token of that zone may lease.
            if (names.Count > 1)
            {
                return Problems.BadRequest($"'types': '{BuiltInTypes.Sweep}' is leased alone, by a zone's collector (shoal agent --collector CMD --zone ZONE)");
            }

            var zone = body.Zone;
            if (zone is null || ZoneName.Problem(zone) is not null)
            {
                return Problems.BadRequest(zone is null ? "'zone' is required with type 'sweep': the zone whose hosts this collector visits" : $"'zone': '{zone}' {ZoneName.Problem(zone)}");
            }

            if (!token.Tags.Contains(ZoneName.Tag(zone)))
            {
                return Problems.Of(StatusCodes.Status403Forbidden, "forbidden", $"this agent token may not collect in zone '{zone}': create one with --tags {ZoneName.Tag(zone)}");
            }

            tags = [ZoneName.Tag(zone)];
            limits.Add(new TypeLimit(BuiltInTypes.Sweep, -1, cfg.Sweep.HostTimeout + TimeSpan.FromMinutes(1)));
        }

        foreach (var name in names.Where(n => n != BuiltInTypes.Sweep))
        {
            if (!cfg.AgentTypes.TryGetValue(name, out var type) || type.Kind != AgentKind.Pull)
            {
                var pull = cfg.AgentTypes.Values.Where(t => t.Kind == AgentKind.Pull).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
                var hint = type is not null ? "its agents are spawned by the server, not pulled"
                    : Shoal.Core.Spelling.Nearest(name, pull) is { } nearest ? $"did you mean '{nearest}'?"
                    : pull.Count == 0 ? "the server has no pull types" : $"the pull types: {string.Join(", ", pull.Take(12))}";
                return Problems.BadRequest($"'types': '{name}' is not a pull agent type ({hint})");
            }

            limits.Add(new TypeLimit(name, type.Max, type.Lease));
        }

        var max = body.Max;
        if (max is < 1 or > MaxLease)
        {
            return Problems.BadRequest($"'max' must be an integer from 1 to {MaxLease}");
        }

        var wait = body.WaitSeconds;
        if (wait is < 0 or > MaxWaitSeconds)
        {
            return Problems.BadRequest($"'wait_seconds' must be a number from 0 to {MaxWaitSeconds}");
        }

        var owner = OwnerOf(token);
        roster.Asked(token, limits.Select(l => l.Type).ToList());
        var until = time.GetUtcNow() + TimeSpan.FromSeconds(wait);
        var group = string.Join(',', limits.Select(l => l.Type).Order(StringComparer.Ordinal)) + "|" + string.Join(',', tags.Order(StringComparer.Ordinal));
        var parts = await LongPoll.RunAsync(
            signal,
            group,
            async () =>
            {
                var request = new LeaseRequest(owner, owner, -1, limits, max, time.GetUtcNow(), cfg.Scheduler.AgingStep, Tags: tags, SweepLockHeld: sweepLock.IsHeld());
                var started = time.GetTimestamp();
                var leased = await leases.LeaseAsync(request, ct).ConfigureAwait(false);
                metrics.LeaseSeconds.Record(time.GetElapsedTime(started).TotalSeconds);
                metrics.PartsLeased.Add(leased.Count, new KeyValuePair<string, object?>("kind", "pull"));
                return leased;
            },
            until,
            time,
            lifetime.ApplicationStopping,
            ct).ConfigureAwait(false);
        // Often enough for the agent to be heard (a quarter of agent_lost_seconds) and for its lease to be extended in
        // time (a third of the type's lease: a lease of 5 s was advertised a heartbeat of 30 s, and lost its parts).
        TimeSpan Heartbeat(string type) => limits.FirstOrDefault(l => l.Type == type) is { } limit && limit.Lease / 3 < cfg.Scheduler.AgentLostAfter / 4
            ? limit.Lease / 3
            : cfg.Scheduler.AgentLostAfter / 4;
        return Results.Json(new LeaseResponse(parts.Select(p => ToDto(p, codec.Encode(p.PartId.Value, p.LeaseId, owner), Heartbeat(p.Type))).ToList()), ShoalJson.Options);
    }

    private static async Task<IResult> HeartbeatAsync(
        string id, HttpContext http, IQueueStore store, ConfigHolder config, Broker.WorkBroker broker, LeaseIdCodec codec, Logging.Verbosity verbosity, CancellationToken ct)
    {
        var (part, leaseNo, owner, _, error) = await ReadReportAsync<HeartbeatRequest>(id, http, store, config, codec, b => b.LeaseId, ct).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var types = config.Current.AgentTypes;
        var outcome = await broker.HeartbeatAsync(
            new PartId(part), leaseNo, owner, t => types.TryGetValue(t, out var type) ? type.Lease : TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
        if (outcome is null)
        {
            return Problems.NotFound($"no part {part}");
        }

        var stop = outcome.Job is JobState.Paused or JobState.Failed or JobState.Cancelled
            || outcome.Stream is StreamState.Paused or StreamState.Cancelled or StreamState.Failed;
        var level = verbosity.ForJob(outcome.JobId.Value);
        return Results.Json(new HeartbeatResponse(outcome.Extended, outcome.Extended ? outcome.Deadline : null, outcome.Job.Name(), stop, level), ShoalJson.Options);
    }

    private static async Task<IResult> CompleteAsync(
        string id, HttpContext http, IQueueStore store, ISweepStore sweeps, TimeProvider time, ConfigHolder config, Broker.WorkBroker broker, LeaseIdCodec codec, CancellationToken ct)
    {
        var (part, leaseNo, owner, body, error) = await ReadReportAsync<CompleteRequest>(id, http, store, config, codec, b => b.LeaseId, ct).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        var (report, invalid) = CheckReport(body.Status, body.Result, body.Log, body.Traceparent, part, leaseNo, owner, "");
        if (invalid is not null)
        {
            return Problems.BadRequest(invalid);
        }

        var outcome = await broker.ReportAsync(await WithHostHistoryAsync(report!, TokenAuth.Caller(http), sweeps, time, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        return outcome switch
        {
            ReportOutcome.UnknownPart => Problems.NotFound($"no part {part}"),
            ReportOutcome.NotOwner => Problems.Of(StatusCodes.Status403Forbidden, "forbidden", $"lease {leaseNo} of part {part} is not yours"),
            _ => Results.Json(Response(outcome), ShoalJson.Options),
        };
    }

    /// <summary>
    /// Many reports in one request (<c>{"reports": [{"part_id", "lease_id", "status", "result", "log"}, ...]}</c>), for agents
    /// whose parts are small. All or nothing on bad input: one malformed entry is a 400 naming it, a lease that was never the
    /// caller's a 403, an unknown part a 404, and then no report of the request is applied.
    /// </summary>
    private static async Task<IResult> ReportsAsync(
        HttpContext http, IQueueStore store, ISweepStore sweeps, TimeProvider time, ConfigHolder config, Broker.WorkBroker broker, LeaseIdCodec codec, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<ReportsRequest>(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        if (body.Reports is not { Count: > 0 and <= MaxLease })
        {
            return Problems.BadRequest($"'reports' must be an array of 1 to {MaxLease} reports");
        }

        var owner = OwnerOf(TokenAuth.Caller(http));
        var reports = new List<PartReport>(body.Reports.Count);
        for (var i = 0; i < body.Reports.Count; i++)
        {
            var at = $"reports[{i}]";
            if (body.Reports[i] is not { } entry)
            {
                return Problems.BadRequest($"{at} must be an object");
            }

            var (part, leaseId) = (entry.PartId, entry.LeaseId);

            if (codec.Decode(part, leaseId, owner) is not { } leaseNo)
            {
                return await store.PartExistsAsync(new PartId(part), ct).ConfigureAwait(false)
                    ? Problems.Of(StatusCodes.Status403Forbidden, "forbidden", $"{at}: lease {leaseId} of part {part} was never yours")
                    : Problems.NotFound($"{at}: no part {part}");
            }

            var (report, invalid) = CheckReport(entry.Status, entry.Result, entry.Log, entry.Traceparent, part, leaseNo, owner, at + ": ");
            if (invalid is not null)
            {
                return Problems.BadRequest(invalid);
            }

            reports.Add(await WithHostHistoryAsync(report!, TokenAuth.Caller(http), sweeps, time, ct).ConfigureAwait(false));
        }

        var outcomes = await broker.ReportManyAsync(reports, ct).ConfigureAwait(false);
        return Results.Json(new ReportsResponse(reports.Zip(outcomes, (r, o) => new ReportResult(r.PartId.Value, Response(o))).ToList()), ShoalJson.Options);
    }

    /// <summary>
    /// A zone collector's report of a sweep host keeps the visit in the host's history, as the server's own runner's
    /// does (the host is the part's, never the agent's word). Reports of tokens of no zone are left as they are.
    /// </summary>
    private static async Task<PartReport> WithHostHistoryAsync(PartReport report, TokenRecord token, ISweepStore sweeps, TimeProvider time, CancellationToken ct)
    {
        if (!token.Tags.Any(t => ZoneName.OfTag(t) is not null) || await sweeps.GetSweepPartAsync(report.PartId, ct).ConfigureAwait(false) is not { } part)
        {
            return report;
        }

        var ok = report.Outcome == PartOutcome.Ok;
        return report with { HostResult = Sweeps.SweepHistory.Of(part.Host, ok, report.Result, report.Log, part.Mode, part.Stream.Value, time.GetUtcNow()) };
    }

    private static CompleteResponse Response(ReportOutcome outcome) => outcome switch
    {
        ReportOutcome.Duplicate => new CompleteResponse(true, false, true),
        ReportOutcome.AcceptedLate => new CompleteResponse(true, true, false),
        ReportOutcome.Accepted => new CompleteResponse(true, false, false),
        ReportOutcome.UnknownPart => new CompleteResponse(false, false, false, "no such part"),
        ReportOutcome.NotOwner => new CompleteResponse(false, false, false, "a newer lease of another agent owns it"),
        _ => new CompleteResponse(false, false, false, "this lease's try has already ended: a failure from a past lease changes nothing"),
    };

    /// <summary>A report's status, log and result (with <c>result.items</c>), or what is wrong with them.</summary>
    private static (PartReport? Report, string? Error) CheckReport(
        string? status, JsonElement? given, string? log, string? traceParent, long part, long leaseNo, string owner, string at)
    {
        if (status is not ("ok" or "failed"))
        {
            return (null, at + "'status' must be \"ok\" or \"failed\"");
        }

        log = log is { Length: > MaxLogChars } ? log[..MaxLogChars] : log;
        string? result = null;
        List<string>? items = null;
        if (given is { ValueKind: not JsonValueKind.Null } r)
        {
            result = r.GetRawText();
            if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("items", out var it))
            {
                if (it.ValueKind != JsonValueKind.Array || it.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                {
                    return (null, at + "'result.items' must be an array of strings");
                }

                items = it.EnumerateArray().Select(x => x.GetString()!).ToList();
                if (items.Select((item, n) => (n, Problem: LineSafe.Problem(item))).FirstOrDefault(x => x.Problem is not null) is { Problem: { } problem } bad)
                {
                    // Items become parts that reach agents' stdin one a line.
                    return (null, $"{at}'result.items[{bad.n}]' {problem}");
                }
            }
        }

        if (traceParent is not null && !ActivityContext.TryParse(traceParent, null, out _))
        {
            return (null, at + "'traceparent' must be a W3C trace context (00-<32 hex>-<16 hex>-<2 hex>)");
        }

        return (new PartReport(new PartId(part), leaseNo, owner, status == "ok" ? PartOutcome.Ok : PartOutcome.Failed, result, log, items, TraceParent: traceParent), null);
    }

    /// <summary>Reads the part id and the body's lease id, and checks that the caller held that lease.</summary>
    private static async Task<(long Part, long LeaseNo, string Owner, T? Body, IResult? Error)> ReadReportAsync<T>(
        string id, HttpContext http, IQueueStore store, ConfigHolder config, LeaseIdCodec codec, Func<T, long> leaseOf, CancellationToken ct)
        where T : class
    {
        if (!long.TryParse(id, out var part))
        {
            return (0, 0, "", default, Problems.BadRequest($"part id '{id}' is not a number"));
        }

        var (body, error) = await JsonBody.ReadAsync<T>(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
        {
            return (0, 0, "", default, error);
        }

        var leaseId = leaseOf(body);

        var owner = OwnerOf(TokenAuth.Caller(http));
        if (codec.Decode(part, leaseId, owner) is { } leaseNo)
        {
            return (part, leaseNo, owner, body, null);
        }

        return await store.PartExistsAsync(new PartId(part), ct).ConfigureAwait(false)
            ? (0, 0, "", default, Problems.Of(StatusCodes.Status403Forbidden, "forbidden", $"lease {leaseId} of part {part} was never yours"))
            : (0, 0, "", default, Problems.NotFound($"no part {part}"));
    }

    private static LeasedPartDto ToDto(LeasedPart p, long leaseId, TimeSpan heartbeat)
    {
        using var doc = p.PayloadIsJson ? JsonDocument.Parse(p.Payload) : null;
        var payload = doc?.RootElement.Clone() ?? JsonSerializer.SerializeToElement(p.Payload);
        return new LeasedPartDto(p.PartId.Value, leaseId, p.Deadline, p.Attempt, payload, p.JobId.Value, p.Type, heartbeat.TotalSeconds, p.TraceParent);
    }
}
