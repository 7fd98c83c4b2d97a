using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Shoal.Server.Sweeps;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>Sweeps and gap-fix runs, host check-ins and host result history.</summary>
internal static class SweepEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/sweeps", StartAsync).Takes<SweepRequest>();
        api.MapGet("/sweeps/{id}", async (string id, bool? hosts, SweepService sweeps, CancellationToken ct) =>
            !long.TryParse(id, out var n) ? Problems.BadRequest($"sweep id '{id}' is not a number")
            : await sweeps.StatusAsync(new StreamId(n), hosts == true, ct).ConfigureAwait(false) is { } status ? Results.Json(status, ShoalJson.Options)
            : Problems.NotFound($"no sweep {n}")).WithMetadata(Api.DashboardRead.Instance);
        api.MapGet("/hosts/{name}/results", async (string name, int? limit, ISweepStore store, CancellationToken ct) =>
            Results.Json(await store.GetHostResultsAsync(name, Math.Clamp(limit ?? 20, 1, 1000), ct).ConfigureAwait(false), ShoalJson.Options));
        api.MapPost("/hosts/{name}/checkin", CheckinAsync).WithMetadata(AgentAccess.Instance);
    }

    private static async Task<IResult> StartAsync(HttpContext http, ConfigHolder config, SweepService sweeps, Broker.WorkChanged changes, CancellationToken ct)
    {
        // A sweep's body carries its inventory: sixteen times the ordinary limit.
        var (request, invalid) = await JsonBody.ReadAsync<SweepRequest>(http.Request, config.Current.Scheduler.MaxBodyBytes * 16, ct).ConfigureAwait(false);
        if (request is null)
        {
            return invalid!;
        }

        if (Validate(request) is { } error)
        {
            return Problems.BadRequest(error);
        }

        string? holder = null;
        var started = await sweeps.StartAsync(request!, h => holder = h, ct).ConfigureAwait(false);
        if (started is null)
        {
            return Problems.Conflict(holder!);
        }

        changes.Raise(Broker.Change.PartsReady);
        return Results.Json(started, ShoalJson.Options, statusCode: StatusCodes.Status201Created);
    }

    public static string? Validate(SweepRequest r)
    {
        if (r.Mode is not ("sweep" or "gapfix"))
        {
            return "'mode' must be \"sweep\" or \"gapfix\"";
        }

        if (r.Hosts is null || r.Hosts.Any(h => h is null))
        {
            return "'hosts' must be an array of {\"host\": name, \"prod\": bool}";
        }

        if (r.Hosts.Select((h, i) => (i, h.Host, Problem: h.Host is null ? "is missing" : Core.Sweeps.HostName.Problem(h.Host))).FirstOrDefault(x => x.Problem is not null) is { Problem: { } problem } bad)
        {
            return $"'hosts[{bad.i}]': host '{bad.Host}' {problem}";
        }

        if (r.Hosts.Select((h, i) => (i, h.Zone, Problem: h.Zone is null ? null : Core.Sweeps.ZoneName.Problem(h.Zone))).FirstOrDefault(x => x.Problem is not null) is { Problem: { } zoneProblem } badZone)
        {
            return $"'hosts[{badZone.i}]': zone '{badZone.Zone}' {zoneProblem}";
        }

        if (r.Hosts.Select(h => h.Host).Distinct(StringComparer.OrdinalIgnoreCase).Count() != r.Hosts.Count)
        {
            return "'hosts' lists a host twice";
        }

        if (r.Command is null || r.Command.Count == 0 || r.Command.Any(string.IsNullOrEmpty))
        {
            return "'command' must be a non-empty array of words";
        }

        return r.Threads is < 1 or > 10_000 ? "'threads' must be from 1 to 10000"
            : r.HostTimeoutSeconds is <= 0 ? "'host_timeout_seconds' must be positive"
            : r.TimeLimitSeconds is <= 0 ? "'time_limit_seconds' must be positive"
            : r.FreshWithinSeconds is < 0 ? "'fresh_within_seconds' must not be negative"
            : null;
    }


    /// <summary>
    /// A fleet token (<c>host:*</c>) speaks for the hosts of its zone only, as the newest sweep's inventory placed them:
    /// with <c>zone:Z</c> the hosts of zone Z, without a zone tag the hosts of the server's own zone (or never swept).
    /// </summary>
    private static async Task<string?> FleetRefusalAsync(IReadOnlyCollection<string> tags, string host, ISweepStore store, CancellationToken ct)
    {
        var tokenZone = tags.Select(Core.Sweeps.ZoneName.OfTag).FirstOrDefault(z => z is not null && z != SweepService.ServerZone) ?? "";
        var hostZone = await store.GetHostZoneAsync(host, ct).ConfigureAwait(false) ?? "";
        return hostZone == tokenZone
            ? null
            : $"this fleet token speaks for {(tokenZone.Length == 0 ? "the server's own zone" : $"zone '{tokenZone}'")} only; host '{host}' is in {(hostZone.Length == 0 ? "the server's own zone" : $"zone '{hostZone}'")} (by the newest sweep's inventory)";
    }

    private static async Task<IResult> CheckinAsync(string name, HttpContext http, ISweepStore store, ConfigHolder config, TimeProvider time, CancellationToken ct)
    {
        if (Core.Sweeps.HostName.Problem(name) is { } problem)
        {
            return Problems.BadRequest($"host '{name}' {problem}");
        }

        // A check-in makes the next sweeps skip the host: an agent token speaks only for the hosts in its tags.
        var caller = TokenAuth.Caller(http);
        if (caller.Role != TokenAuth.AdminRole && !caller.Tags.Contains($"host:{name}"))
        {
            if (!caller.Tags.Contains("host:*"))
            {
                return Problems.Of(StatusCodes.Status403Forbidden, "forbidden", $"this agent token may not check in as '{name}': create one with --host {name} (or --tags host:*,zone:Z for a collector that speaks for the hosts of zone Z)");
            }

            if (await FleetRefusalAsync(caller.Tags, name, store, ct).ConfigureAwait(false) is { } refused)
            {
                return Problems.Of(StatusCodes.Status403Forbidden, "forbidden", refused);
            }
        }

        var text = await BodyReader.ReadAsync(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
        if (text is null)
        {
            return Problems.TooLarge(config.Current.Scheduler.MaxBodyBytes);
        }

        if (text.Length > 0)
        {
            try
            {
                using var _ = JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                return Problems.BadRequest(Shoal.Core.Streams.MalformedJson.Describe(ex));
            }
        }

        await store.AddCheckinAsync(name, text.Length == 0 ? null : text, time.GetUtcNow(), ct).ConfigureAwait(false);
        return Results.Json(new { host = name, checked_in = true }, ShoalJson.Options);
    }
}
