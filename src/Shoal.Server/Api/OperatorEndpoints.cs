using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Server.Operations;
using Shoal.Server.Spawned;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>The command port's commands over REST: reload, kill, priority, verbose, load, database, stop, die.</summary>
internal static class OperatorEndpoints
{
    /// <summary>The most bytes one read of a job's log returns (the default is 1 MiB).</summary>
    public const int MaxLogRead = 8 * 1024 * 1024;

    private const int DefaultLogRead = 1024 * 1024;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/reload", (JobOperations o) =>
            o.Reload() is { } error
                ? Problems.Of(StatusCodes.Status422UnprocessableEntity, "reload failed, the old configuration stays", error)
                : Results.Json(new { reloaded = true }, ShoalJson.Options));
        api.MapPost("/jobs/{id}/kill", async (string id, HttpContext http, IQueueStore store, ConfigHolder config, JobOperations o, CancellationToken ct) =>
        {
            var (body, error) = await JsonBody.ReadAsync<KillRequest>(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
            if (body is null)
            {
                return error!;
            }

            var message = string.IsNullOrWhiteSpace(body.Message) ? JobOperations.KilledByOperator : body.Message;
            return await JobEndpoints.ControlAsync(id, x => o.KillJobAsync(x, message, ct), store, ct).ConfigureAwait(false);
        }).Takes<KillRequest>();
        api.MapPost("/jobs/{id}/priority", async (string id, HttpContext http, IQueueStore store, ConfigHolder config, JobOperations o, CancellationToken ct) =>
        {
            var (body, error) = await JsonBody.ReadAsync<PriorityRequest>(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
            return body is null ? error! : await JobEndpoints.ControlAsync(id, x => o.SetPriorityAsync(x, body.Priority, ct), store, ct).ConfigureAwait(false);
        }).Takes<PriorityRequest>();
        api.MapPost("/verbose", async (HttpContext http, ConfigHolder config, JobOperations o, CancellationToken ct) =>
        {
            var (body, error) = await JsonBody.ReadAsync<VerboseRequest>(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
            if (body is null)
            {
                return error!;
            }

            if (body.Level < 0)
            {
                return Problems.BadRequest("'level' must be a non-negative integer");
            }

            o.Verbose(body.Job, body.Level);
            return Results.Json(new { level = body.Level }, ShoalJson.Options);
        }).Takes<VerboseRequest>();
        api.MapGet("/jobs/{id}/log", async (string id, long? offset, int? limit, int? tail, IQueueStore store, Logging.JobLogs logs, HttpContext http, CancellationToken ct) =>
        {
            if (limit is < 1 or > MaxLogRead)
            {
                return Problems.BadRequest($"'limit' must be from 1 to {MaxLogRead} bytes");
            }

            if (offset is < 0)
            {
                return Problems.BadRequest("'offset' must be a byte offset >= 0");
            }

            if (tail is < 1 or > MaxLogRead || (tail is not null && offset is not null))
            {
                return Problems.BadRequest($"'tail' must be from 1 to {MaxLogRead} bytes, without 'offset'");
            }

            if (!long.TryParse(id, out var n))
            {
                return Problems.BadRequest($"job id '{id}' is not a number");
            }

            if (await store.GetJobAsync(new JobId(n), ct).ConfigureAwait(false) is null)
            {
                return Problems.NotFound($"no job {n}");
            }

            var path = logs.PathOf(n);
            var from = Math.Max(0, offset ?? 0);
            var bytes = Array.Empty<byte>();
            if (File.Exists(path))
            {
                // At most 'limit' bytes (1 MiB by default) from 'offset': the next offset is in X-Log-Offset.
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                from = tail is { } last ? Math.Max(0, file.Length - last) : Math.Min(from, file.Length);
                file.Position = from;
                var buffer = new byte[(int)Math.Min(tail ?? limit ?? DefaultLogRead, file.Length - from)];
                var read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                bytes = buffer[..read]; // the bytes as written: a character split across two reads is whole again in the client
                from += read;
            }

            http.Response.Headers["X-Log-Offset"] = from.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Bytes(bytes, "text/plain; charset=utf-8");
        }).WithMetadata(Api.DashboardRead.Instance);
        api.MapGet("/db/stats", async (IQueueStore store, CancellationToken ct) => Results.Json(await store.StatsAsync(ct).ConfigureAwait(false), ShoalJson.Options));
        api.MapGet("/verbose", (Logging.Verbosity verbosity) => Results.Json(new { level = verbosity.Level }, ShoalJson.Options));
        api.MapPost("/database", (JobOperations o) =>
        {
            o.Poll();
            return Results.Json(new { polled = true }, ShoalJson.Options);
        });
        api.MapPost("/stop", (JobOperations o) =>
        {
            o.Stop();
            return Results.Json(new { stopping = true }, ShoalJson.Options);
        });
        api.MapPost("/die", (JobOperations o) =>
        {
            o.Die();
            return Results.Json(new { stopping = true, agents = "killed" }, ShoalJson.Options);
        });
    }
}
