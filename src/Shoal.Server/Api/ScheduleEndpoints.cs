using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Core.Schedules;
using Shoal.Server.Operations;
using Shoal.Server.Hosting;
using Shoal.Server.Schedules;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>Recurring schedules: add, list (with next run times), remove, run now, pause, resume.</summary>
internal static class ScheduleEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/schedules");
        api.MapPost("", AddAsync).Takes<ScheduleRequest>();
        api.MapGet("", async (IScheduleStore store, CancellationToken ct) =>
            Results.Json((await store.ListSchedulesAsync(ct).ConfigureAwait(false)).Select(ToDto).ToList(), ShoalJson.Options)).WithMetadata(Api.DashboardRead.Instance);
        api.MapDelete("/{name}", async (string name, IScheduleStore store, CancellationToken ct) =>
            await store.RemoveScheduleAsync(name, ct).ConfigureAwait(false) ? Results.Json(new { name, removed = true }, ShoalJson.Options) : Problems.NotFound($"no schedule '{name}'"));
        api.MapPost("/{name}/pause", (string name, IScheduleStore store, CancellationToken ct) => PauseAsync(store, name, true, ct));
        api.MapPost("/{name}/resume", (string name, IScheduleStore store, CancellationToken ct) => PauseAsync(store, name, false, ct));
        api.MapPost("/{name}/run-now", async (string name, ScheduleRunner runner, IScheduleStore store, CancellationToken ct) =>
        {
            if (!(await store.ListSchedulesAsync(ct).ConfigureAwait(false)).Any(s => s.Name == name))
            {
                return Problems.NotFound($"no schedule '{name}'");
            }

            var (stream, notRun) = await runner.RunNowAsync(name, ct).ConfigureAwait(false);
            return stream is null
                ? Problems.Conflict($"schedule '{name}' not run: {notRun}")
                : Results.Json(new { name, stream = stream.Value.Value }, ShoalJson.Options);
        });
    }

    private static async Task<IResult> AddAsync(HttpContext http, IScheduleStore store, ConfigHolder config, StreamSubmitter submitter, TimeProvider time, CancellationToken ct)
    {
        var (r, unreadable) = await JsonBody.ReadAsync<ScheduleRequest>(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
        if (r is null)
        {
            return unreadable!;
        }

        if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 100 || r.Name.Any(char.IsWhiteSpace))
        {
            return Problems.BadRequest("'name' must be 1 to 100 characters without spaces");
        }

        TimeSpan? every = null;
        if (r.Every is not null)
        {
            if (!Durations.TryParse(r.Every, out var e))
            {
                return Problems.BadRequest($"'every': '{r.Every}' is not a duration (\"90s\", \"15m\", \"1h\", \"2d\")");
            }

            every = e;
        }

        if (!ScheduleRule.TryCreate(r.Cron, every, r.TimeZone, out var rule, out var error))
        {
            return Problems.BadRequest(error!);
        }

        if (r.Misfire is not (null or "once" or "skip"))
        {
            return Problems.BadRequest("'misfire' must be \"once\" or \"skip\"");
        }

        string template;
        if (r.Sweep is { } sweep)
        {
            if (SweepEndpoints.Validate(sweep) is { } bad)
            {
                return Problems.BadRequest($"'sweep': {bad}");
            }

            template = JsonSerializer.Serialize(new { sweep }, ShoalJson.Options);
        }
        else
        {
            if (r.Stream is not { ValueKind: JsonValueKind.Object } stream)
            {
                return Problems.BadRequest("'stream' (the job stream it submits, docs/streams.md) or 'sweep' (the body of POST /api/v1/sweeps) is required");
            }

            template = stream.GetRawText();
            if (submitter.Check(template) is { } invalid)
            {
                return Problems.BadRequest($"'stream': {invalid}");
            }
        }

        var schedule = new ScheduleRecord(r.Name, rule!, template, r.Misfire == "skip" ? Misfire.Skip : Misfire.Once, r.Overlap, false, rule!.NextAfter(time.GetUtcNow()), null, null);
        return await store.AddScheduleAsync(schedule, ct).ConfigureAwait(false)
            ? Results.Json(ToDto(schedule), ShoalJson.Options, statusCode: StatusCodes.Status201Created)
            : Problems.Conflict($"a schedule '{r.Name}' exists already");
    }

    private static async Task<IResult> PauseAsync(IScheduleStore store, string name, bool paused, CancellationToken ct) =>
        await store.SetSchedulePausedAsync(name, paused, ct).ConfigureAwait(false)
            ? Results.Json(new { name, paused }, ShoalJson.Options)
            : Problems.NotFound($"no schedule '{name}'");

    private static ScheduleDto ToDto(ScheduleRecord s) => new(
        s.Name, s.Rule.Cron, s.Rule.Every?.TotalSeconds, s.Rule.TimeZone, s.Misfire.ToString().ToLowerInvariant(), s.Overlap, s.Paused, s.NextAt, s.LastAt, s.LastStream?.Value);
}
