using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Core.Model;
using Shoal.Core.Schedules;
using Shoal.Server.Operations;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Schedules;

/// <summary>
/// Fires recurring schedules on the injected clock. A run that fell due while the server was down fires once
/// at start (misfire <c>once</c>) or is skipped (<c>skip</c>); a schedule never starts a second stream while its
/// previous one is still live unless it allows overlap.
/// </summary>
internal sealed class ScheduleRunner(
    IScheduleStore store, IQueueStore queue, StreamSubmitter submitter, Sweeps.SweepService sweeps, Broker.WorkChanged changes, ConfigHolder config, TimeProvider time, ClusterMember cluster, ILogger<ScheduleRunner> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Fires a schedule now (<c>run-now</c>); null when there is no such schedule.</summary>
    /// <summary>Fires a schedule now: the stream it submitted, or why it submitted none (its last run is live, the submit failed).</summary>
    public async Task<(StreamId? Stream, string? NotRun)> RunNowAsync(string name, CancellationToken ct)
    {
        var schedule = (await store.ListSchedulesAsync(ct).ConfigureAwait(false)).FirstOrDefault(s => s.Name == name);
        return schedule is null ? (null, $"no schedule '{name}'") : await FireAsync(schedule, time.GetUtcNow(), force: true, ct).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await StepAsync(starting: true, stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(config.Current.Scheduler.TickInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await StepAsync(starting: false, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    /// <summary>A stream template, or <c>{"sweep": …}</c> for a fleet sweep or gap-fix run.</summary>
    private async Task<(StreamId? Stream, string? Error)> SubmitAsync(string template, CancellationToken ct)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(template);
        if (doc.RootElement.TryGetProperty("sweep", out var sweepEl))
        {
            var request = System.Text.Json.JsonSerializer.Deserialize<Contracts.SweepRequest>(sweepEl, Contracts.ShoalJson.Options)!;
            string? holder = null;
            var started = await sweeps.StartAsync(request, h => holder = h, ct).ConfigureAwait(false);
            changes.Raise(Broker.Change.PartsReady);
            return started?.Id is { } id ? (new StreamId(id), null) : (null, holder);
        }

        var (created, error) = await submitter.SubmitAsync(template, ct).ConfigureAwait(false);
        return (created?.Id, error);
    }

    private async Task StepAsync(bool starting, CancellationToken ct)
    {
        // The leader fires schedules, so that the cluster fires each once.
        if (!cluster.IsLeader)
        {
            return;
        }

        try
        {
            var now = time.GetUtcNow();
            foreach (var s in await store.ListSchedulesAsync(ct).ConfigureAwait(false))
            {
                if (s.Paused || s.NextAt > now)
                {
                    continue;
                }

                if (starting && s.Misfire == Misfire.Skip)
                {
                    await store.RecordScheduleRunAsync(s.Name, now, null, s.Rule.NextAfter(now), ct).ConfigureAwait(false);
                    continue;
                }

                await FireAsync(s, now, force: false, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SchedulesFailed(logger, ex);
        }
    }

    private async Task<(StreamId? Stream, string? NotRun)> FireAsync(ScheduleRecord s, DateTimeOffset now, bool force, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var next = s.Rule.NextAfter(now);
            if (!s.Overlap && s.LastStream is { } last
                && await queue.GetStreamAsync(last, ct).ConfigureAwait(false) is { } previous && !previous.Stream.State.IsTerminal())
            {
                Log.ScheduleSkipped(logger, s.Name, last.Value);
                await store.RecordScheduleRunAsync(s.Name, now, null, next, ct).ConfigureAwait(false);
                return (null, $"its last run, stream {last.Value}, is still {previous.Stream.State.Name()} (the schedule does not overlap runs)");
            }

            var (stream, error) = await SubmitAsync(s.Template, ct).ConfigureAwait(false);
            if (stream is null && error is not null)
            {
                Log.ScheduleFailed(logger, s.Name, error);
            }

            await store.RecordScheduleRunAsync(s.Name, now, stream, force ? s.NextAt : next, ct).ConfigureAwait(false);
            return (stream, stream is null ? $"its stream was not submitted: {error ?? "nothing to run"}" : null);
        }
        finally
        {
            _gate.Release();
        }
    }
}
