using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Server.Operations;
using Shoal.Server.Spawned;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Shoal.Server.Broker;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>REST endpoints for job streams and jobs under <c>/api/v1</c>.</summary>
internal static class StreamEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        app.MapGet("/schema/stream.json", () => Results.Text(StreamSchema.Value, "application/schema+json"))
            .WithSummary("The JSON Schema of a job stream (docs/stream.schema.json)");
        api.MapPost("/streams", SubmitAsync).Takes<StreamRequest>()
            .WithSummary("Submit a job stream (docs/streams.md; its JSON Schema: /schema/stream.json)")
            .Produces<SubmitResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapPost("/streams/check", CheckAsync).Takes<StreamRequest>()
            .WithSummary("Check a job stream as a submit would; nothing is stored")
            .Produces<StreamCheckResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/streams", ListAsync).WithMetadata(Api.DashboardRead.Instance)
            .Produces<List<StreamSummaryDto>>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/streams/{id}", GetAsync).WithMetadata(Api.DashboardRead.Instance)
            .Produces<StreamDto>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/streams/{id}/pause", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.PauseStreamAsync(x, ct), s, ct))
            .Produces<ControlResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/streams/{id}/resume", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.ResumeStreamAsync(x, ct), s, ct))
            .Produces<ControlResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/streams/{id}/requeue", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.RequeueStreamAsync(x, ct), s, ct, Control.NothingFailed))
            .Produces<ControlResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/streams/{id}/cancel", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.CancelStreamAsync(x, ct), s, ct))
            .Produces<ControlResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/jobs/{id}", GetJobAsync).WithMetadata(Api.DashboardRead.Instance)
            .Produces<JobDto>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/jobs/{id}/why", WhyAsync).WithMetadata(Api.DashboardRead.Instance)
            .Produces<WhyResponse>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static readonly Lazy<string> StreamSchema = new(() =>
    {
        using var stream = typeof(StreamEndpoints).Assembly.GetManifestResourceStream("Shoal.Server.stream.schema.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static async Task<IResult> SubmitAsync(HttpContext http, ConfigHolder config, StreamSubmitter submitter, CancellationToken ct)
    {
        var (parsed, refused) = await ReadAsync(http, config, submitter, ct).ConfigureAwait(false);
        if (parsed is null)
        {
            return refused!;
        }

        var (created, error) = await submitter.SubmitAsync(parsed, ct).ConfigureAwait(false);
        return created is null
            ? Problems.BadRequest(error!)
            : Results.Json(new SubmitResponse(created.Id.Value, created.Jobs.ToDictionary(kv => kv.Key, kv => kv.Value.Value)), ShoalJson.Options, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Checks a stream as a submit would (the same parser, the agent types in force) and says what it would create; stores nothing.</summary>
    private static async Task<IResult> CheckAsync(HttpContext http, ConfigHolder config, StreamSubmitter submitter, CancellationToken ct)
    {
        var (parsed, refused) = await ReadAsync(http, config, submitter, ct).ConfigureAwait(false);
        if (parsed is null)
        {
            return refused!;
        }

        var (spec, error) = submitter.Validate(parsed);
        if (spec is null)
        {
            return Problems.BadRequest(error!);
        }

        var jobs = spec.Jobs.Select(j => new CheckedJobDto(j.Name, j.Type, j.DependsOn, j.Parts.Count, Generated(j))).ToList();
        return Results.Json(new StreamCheckResponse(spec.Name, spec.Priority, jobs), ShoalJson.Options);
    }

    /// <summary>
    /// A stream's body, at most <c>max_stream_bytes</c> (only an admin gets this far): one JSON document, or NDJSON — the
    /// stream on the first line, then <c>{"job", "parts"}</c> lines, each at most <c>max_body_bytes</c>, read a line at
    /// a time — for a program that writes a large stream as it goes.
    /// </summary>
    private static async Task<(SpecResult? Parsed, IResult? Error)> ReadAsync(HttpContext http, ConfigHolder config, StreamSubmitter submitter, CancellationToken ct)
    {
        var limits = config.Current.Scheduler;
        BodyReader.AllowUpTo(http.Request, limits.MaxStreamBytes);
        if (NdjsonBody.IsNdjson(http.Request))
        {
            var lines = submitter.Lines();
            var error = await NdjsonBody.ReadAsync(http.Request, limits.MaxBodyBytes, limits.MaxStreamBytes, lines.Add, ct).ConfigureAwait(false);
            return error is null ? (lines.Finish(), null) : (null, error);
        }

        var body = await BodyReader.ReadAsync(http.Request, limits.MaxStreamBytes, ct).ConfigureAwait(false);
        return body is null
            ? (null, Problems.Of(StatusCodes.Status413PayloadTooLarge, "payload too large", $"the stream is larger than the limit of {limits.MaxStreamBytes} bytes ([SCHEDULER] max_stream_bytes)"))
            : (StreamSpecParser.Parse(body, submitter.AgentTypes()), null);
    }

    private static string? Generated(Core.Streams.JobSpec j) => j switch
    {
        { Generator.Range: { } range } => $"range {range} by {j.Generator.Chunk}",
        { Generator.File: { } file } => $"file {file} by {j.Generator.Chunk}",
        { GenerateFrom: { } from } => $"from {from}",
        _ => null,
    };

    private static async Task<IResult> ListAsync(string? state, string? name, string? owner, int? limit, IQueueStore store, CancellationToken ct)
    {
        StreamState? filter = null;
        if (state is not null)
        {
            if (!StateNames.TryParseStream(state, out var s))
            {
                return Problems.BadRequest($"unknown state '{state}' (queued, running, paused, completed, failed, cancelled)");
            }

            filter = s;
        }

        var list = await store.ListStreamsAsync(filter, name, owner, Math.Clamp(limit ?? 100, 1, 1000), ct).ConfigureAwait(false);
        return Results.Json(list.Select(s => s.ToDto()).ToList(), ShoalJson.Options);
    }

    private static async Task<IResult> GetAsync(string id, IQueueStore store, CancellationToken ct)
    {
        if (!long.TryParse(id, out var n))
        {
            return Problems.BadRequest($"stream id '{id}' is not a number");
        }

        var detail = await store.GetStreamAsync(new StreamId(n), ct).ConfigureAwait(false);
        return detail is null ? Problems.NotFound($"no stream {n}") : Results.Json(detail.ToDto(), ShoalJson.Options);
    }

    private static Task<IResult> ControlAsync(string id, Func<StreamId, Task<ControlOutcome>> action, IQueueStore store, CancellationToken ct, Func<string?, string>? conflict = null) =>
        Control.RunAsync(
            "stream",
            id,
            n => action(new StreamId(n)),
            async n => (await store.GetStreamAsync(new StreamId(n), ct).ConfigureAwait(false))?.Stream.State.Name(),
            conflict);

    private static async Task<IResult> GetJobAsync(
        string id, IQueueStore store, ConfigHolder config, TimeProvider time, Dispatcher dispatcher, Sweeps.SweepLock sweepLock, PullAgentRoster roster, CancellationToken ct)
    {
        var why = await ExplainAsync(id, store, config, time, dispatcher, sweepLock, roster, ct).ConfigureAwait(false);
        return why.Error ?? Results.Json(why.Facts!.Job.ToDto(why.Reasons), ShoalJson.Options);
    }

    private static async Task<IResult> WhyAsync(
        string id, IQueueStore store, ConfigHolder config, TimeProvider time, Dispatcher dispatcher, Sweeps.SweepLock sweepLock, PullAgentRoster roster, CancellationToken ct)
    {
        var why = await ExplainAsync(id, store, config, time, dispatcher, sweepLock, roster, ct).ConfigureAwait(false);
        return why.Error ?? Results.Json(new WhyResponse(why.Facts!.Job.Id.Value, why.Facts.Job.State.Name(), why.Reasons!), ShoalJson.Options);
    }

    private static async Task<(IResult? Error, WhyFacts? Facts, IReadOnlyList<string>? Reasons)> ExplainAsync(
        string id, IQueueStore store, ConfigHolder config, TimeProvider time, Dispatcher dispatcher, Sweeps.SweepLock sweepLock, PullAgentRoster roster, CancellationToken ct)
    {
        if (!long.TryParse(id, out var n))
        {
            return (Problems.BadRequest($"job id '{id}' is not a number"), null, null);
        }

        var cfg = config.Current;
        var now = time.GetUtcNow();
        var facts = await store.GetWhyFactsAsync(new JobId(n), now, cfg.Scheduler.AgingStep, ct).ConfigureAwait(false);
        return facts is null
            ? (Problems.NotFound($"no job {n}"), null, null)
            : (null, facts, WhyExplainer.Explain(facts, now, cfg, dispatcher, sweepLock, roster));
    }
}
