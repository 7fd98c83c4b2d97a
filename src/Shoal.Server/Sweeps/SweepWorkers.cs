using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Agent;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Shoal.Storage;

namespace Shoal.Server.Sweeps;

/// <summary>
/// Runs sweeps: for each live job of the built-in <c>sweep</c> type, an in-process pull worker (the runner of
/// <c>shoal agent</c>) over a <see cref="SweepPartSource"/>. A sweep is a pull-kind job like any other; only where its
/// parts come from and how its reports are written differ.
/// </summary>
internal sealed class SweepWorkers(
    IQueueStore store,
    ISweepStore sweeps,
    TimeProvider time,
    Broker.WorkSignal signal,
    Broker.WorkBroker broker,
    SweepLock sweepLock,
    LocalSweeps local,
    SweepService service,
    Broker.WorkChanged changes,
    ConfigHolder config,
    ILogger<SweepWorkers> logger) : BackgroundService
{
    /// <summary>
    /// The cadence of the loops (how often to look again) is real time even under a fake clock: it decides no
    /// outcome. Deadlines (time limit, host time-out) follow the injected <c>time</c>.
    /// </summary>
    private static readonly TimeProvider Cadence = TimeProvider.System;

    private readonly Dictionary<JobId, Task> _runs = [];

    // Since when each zone's job of a sweep started here has had hosts waiting and no collector of its zone asking.
    private readonly Dictionary<JobId, DateTimeOffset> _zoneSilent = [];

    private string Prefix => $"exec:{config.Current.Scheduler.NodeName}:";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Collectors of a previous run of this server died with it: those hosts count as failed.
        await broker.RecoverAsync(Prefix, stoppingToken).ConfigureAwait(false);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var woken = signal.Next;
                foreach (var done in _runs.Where(r => r.Value.IsCompleted).Select(r => r.Key).ToList())
                {
                    _runs.Remove(done);
                }

                var demand = await store.GetDemandAsync(time.GetUtcNow(), null, [BuiltInTypes.Sweep], stoppingToken).ConfigureAwait(false);
                await GiveUpSilentZonesAsync(demand, stoppingToken).ConfigureAwait(false);
                foreach (var d in demand)
                {
                    // A sweeps-only server (shoal sweep's own) never touches another run's hosts.
                    if (d.Type == BuiltInTypes.Sweep && !_runs.ContainsKey(d.Job) && (!config.Current.Scheduler.SweepsOnly || local.StartedHere(d.Job))
                        && await sweeps.GetCollectorAsync(d.Job, stoppingToken).ConfigureAwait(false) is { } collector)
                    {
                        var sweep = await sweeps.GetSweepAsync(d.Stream, stoppingToken).ConfigureAwait(false);
                        var deadline = sweep is null ? DateTimeOffset.MaxValue : sweep.StartedAt + sweep.TimeLimit;
                        _runs[d.Job] = RunJobAsync(d.Job, d.Stream, collector, sweep?.Mode ?? "sweep", d.Ready, deadline, stoppingToken);
                    }
                }

                await ReleaseOrphanLockAsync(stoppingToken).ConfigureAwait(false);
                await Task.WhenAny(woken, Task.Delay(TimeSpan.FromMilliseconds(500), Cadence, stoppingToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.SweepRunnerFailed(logger, ex);
            }
        }

        await Task.WhenAll(_runs.Values).ConfigureAwait(false);
    }

    /// <summary>
    /// A zone's hosts never wait silently: when no collector of the zone has asked for them (nor holds one) for
    /// <c>[SWEEP] zone_wait</c>, its job ends, its hosts not attempted, with the reason in the sweep's JSON and <c>why</c>.
    /// Only the server that started the sweep decides (it is the one its collectors are told to call).
    /// </summary>
    private async Task GiveUpSilentZonesAsync(IReadOnlyList<JobDemand> demand, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var wait = config.Current.Sweep.ZoneWait;
        var waiting = new HashSet<JobId>();
        foreach (var d in demand.Where(d => d.Name.StartsWith("visit-", StringComparison.Ordinal) && local.StartedHere(d.Job)))
        {
            var zone = d.Name["visit-".Length..];
            waiting.Add(d.Job);
            if (d.Leased > 0 || service.CollectorsOf(zone).Count > 0)
            {
                _zoneSilent[d.Job] = now;
                continue;
            }

            var since = _zoneSilent.TryGetValue(d.Job, out var s) ? s : _zoneSilent[d.Job] = now;
            if (now - since >= wait)
            {
                var reason = $"{SweepService.NoCollector} {zone}: none asked for its hosts for {wait.TotalSeconds:0} s";
                await store.EndJobAsync(d.Job, JobState.Failed, reason, now, ct).ConfigureAwait(false);
                changes.Raise(Broker.Change.JobStates);
                Log.ZoneGivenUp(logger, d.Stream.Value, zone, wait.TotalSeconds);
                waiting.Remove(d.Job);
            }
        }

        foreach (var gone in _zoneSilent.Keys.Where(j => !waiting.Contains(j)).ToList())
        {
            _zoneSilent.Remove(gone);
        }
    }

    /// <summary>A lock this server took for a sweep that ended before its run started (cancelled at once) is released.</summary>
    private async Task ReleaseOrphanLockAsync(CancellationToken ct)
    {
        if (sweepLock.HeldStream() is { } stream && _runs.Count == 0)
        {
            var detail = await store.GetStreamAsync(new StreamId(stream), ct).ConfigureAwait(false);
            if (detail is null || detail.Stream.State.IsTerminal())
            {
                sweepLock.Release(stream);
            }
        }
    }

    /// <summary>
    /// Visits a sweep's hosts with the pull worker of <c>shoal agent</c>, fed by the broker: up to the collector's
    /// <c>threads</c> at once. When the job ends (its time limit, a cancel) or the server stops, the running collectors
    /// are killed and reported failed, and the sweep lock is released.
    /// </summary>
    private async Task RunJobAsync(JobId job, StreamId stream, CollectorSpec collector, string mode, int hosts, DateTimeOffset deadline, CancellationToken stoppingToken)
    {
        Log.SweepStarted(logger, stream.Value, hosts, collector.Threads);
        var source = new SweepPartSource(broker, signal, time, new SweepRun(job, stream, Prefix + job.Value, collector, mode, deadline));
        local.Track(job, source);
        var options = new PullAgentOptions
        {
            Types = [BuiltInTypes.Sweep],
            Command = collector.Command,
            Shell = collector.Shell,
            Placeholder = "{host}",
            PartTimeout = collector.HostTimeout,
            OutputLimit = collector.OutputLimit,
            Concurrency = collector.Threads,
            Wait = TimeSpan.FromMilliseconds(250),
        };
        using var end = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        try
        {
            var run = new PullAgentRunner(source, options, time).RunAsync(end.Token, end.Token);
            while (!run.IsCompleted)
            {
                var woken = signal.Next;
                var state = (await store.GetJobStatesAsync([job], CancellationToken.None).ConfigureAwait(false)).GetValueOrDefault(job, JobState.Cancelled);
                if (state.IsTerminal() || stoppingToken.IsCancellationRequested)
                {
                    await end.CancelAsync().ConfigureAwait(false);
                    break;
                }

                await Task.WhenAny(run, woken, Task.Delay(TimeSpan.FromMilliseconds(250), Cadence, CancellationToken.None)).ConfigureAwait(false);
            }

            await run.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SweepRunnerFailed(logger, ex);
            await end.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            await source.FinishAsync().ConfigureAwait(false);
            local.Untrack(job);

            // Other zones' collectors may still visit the sweep's hosts: the lock goes when the whole sweep has ended.
            var detail = await store.GetStreamAsync(stream, CancellationToken.None).ConfigureAwait(false);
            if (detail is null || detail.Stream.State.IsTerminal() || stoppingToken.IsCancellationRequested)
            {
                sweepLock.Release(stream.Value);
            }
        }
    }
}
