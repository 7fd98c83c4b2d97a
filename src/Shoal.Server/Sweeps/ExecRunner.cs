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
/// Runs sweeps: for each live job of the built-in <c>sweep</c> type it keeps up to the collector's
/// <c>threads</c> collector processes running, leasing host parts in batches (production hosts were
/// stored first, so they are leased first) and reporting through the group-committing batcher, each
/// report carrying the host's result for its history. When the job ends (its time limit, a cancel) the
/// running collectors are killed and counted failed, and the sweep lock is released.
/// </summary>
internal sealed class ExecRunner(
    IShoalStore store,
    TimeProvider time,
    WorkSignal signal,
    Broker.WorkBroker broker,
    SweepLock sweepLock,
    ConfigHolder config,
    ILogger<ExecRunner> logger) : BackgroundService
{
    /// <summary>
    /// The cadence of the loops (how often to look again) is real time even under a fake clock: it decides no
    /// outcome. Deadlines (time limit, host time-out) follow the injected <c>time</c>.
    /// </summary>
    private static readonly TimeProvider Cadence = TimeProvider.System;

    private readonly Dictionary<JobId, Task> _runs = [];

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

                foreach (var d in await store.GetDemandAsync(time.GetUtcNow(), null, [BuiltInTypes.Sweep], stoppingToken).ConfigureAwait(false))
                {
                    if (d.Type == BuiltInTypes.Sweep && !_runs.ContainsKey(d.Job)
                        && await store.GetCollectorAsync(d.Job, stoppingToken).ConfigureAwait(false) is { } collector)
                    {
                        var sweep = await store.GetSweepAsync(d.Stream, stoppingToken).ConfigureAwait(false);
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

    private async Task RunJobAsync(JobId job, StreamId stream, CollectorSpec collector, string mode, int hosts, DateTimeOffset deadline, CancellationToken stoppingToken)
    {
        Log.SweepStarted(logger, stream.Value, hosts, collector.Threads);
        var owner = Prefix + job.Value;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = new List<Task>();
        var pending = new Queue<LeasedPart>();
        var reports = new System.Collections.Concurrent.ConcurrentBag<Task>();
        var prodStarting = new System.Runtime.CompilerServices.StrongBox<int>(0);
        var prodAllStarted = new System.Runtime.CompilerServices.StrongBox<TaskCompletionSource>(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var limits = new List<TypeLimit> { new(BuiltInTypes.Sweep, -1, collector.HostTimeout + TimeSpan.FromMinutes(1)) };
        long? lastCheck = null;
        while (true)
        {
            running.RemoveAll(t => t.IsCompleted);
            var woken = signal.Next;
            if (lastCheck is not { } at || Cadence.GetElapsedTime(at) > TimeSpan.FromMilliseconds(250) || stoppingToken.IsCancellationRequested)
            {
                lastCheck = Cadence.GetTimestamp();
                var state = (await store.GetJobStatesAsync([job], CancellationToken.None).ConfigureAwait(false)).GetValueOrDefault(job, JobState.Cancelled);
                if (state.IsTerminal() || stoppingToken.IsCancellationRequested)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    break;
                }
            }

            // Lease ahead in batches (one transaction for up to twice the threads), start as slots free up.
            if (pending.Count < collector.Threads)
            {
                var want = Math.Min(1000, (2 * collector.Threads) - pending.Count);
                var request = new LeaseRequest(owner, owner, -1, limits, want, time.GetUtcNow(), null, job);
                foreach (var part in await broker.LeaseAsync(request, CancellationToken.None).ConfigureAwait(false))
                {
                    pending.Enqueue(part);
                }
            }

            var startedAny = false;
            var barrier = false;
            // Past the time limit no host starts: what is still queued is "not attempted" (the store fails the job at its deadline).
            while (running.Count < collector.Threads && time.GetUtcNow() < deadline && pending.TryPeek(out var next))
            {
                // Processes start in parallel (a fork is not cheap), but no other host starts before every
                // production host has: production hosts were stored first, so they come first in the queue.
                var (host, prod) = HostOf(next);
                if (!prod && Volatile.Read(ref prodStarting.Value) > 0)
                {
                    barrier = true;
                    break;
                }

                pending.Dequeue();
                Action? started = null;
                if (prod)
                {
                    Interlocked.Increment(ref prodStarting.Value);
                    started = () =>
                    {
                        if (Interlocked.Decrement(ref prodStarting.Value) == 0)
                        {
                            prodAllStarted.Value!.TrySetResult();
                        }
                    };
                }

                running.Add(Task.Run(() => RunPartAsync(next, host, owner, collector, mode, stream, reports, started, stop.Token), CancellationToken.None));
                startedAny = true;
            }

            if (barrier && !startedAny)
            {
                var all = prodAllStarted.Value!;
                if (Volatile.Read(ref prodStarting.Value) > 0)
                {
                    await Task.WhenAny(all.Task, Task.Delay(TimeSpan.FromMilliseconds(50), Cadence, CancellationToken.None)).ConfigureAwait(false);
                }

                prodAllStarted.Value = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                continue;
            }

            if (!startedAny)
            {
                var tick = Task.Delay(TimeSpan.FromMilliseconds(250), Cadence, CancellationToken.None);
                await Task.WhenAny(running.Append(woken).Append(tick)).ConfigureAwait(false);
            }
        }

        // Parts leased ahead but never started go back to the stack when their lease expires; report them as
        // not run now instead, so the sweep's accounting is exact at once.
        while (pending.TryDequeue(out var unstarted))
        {
            await broker.ReleasePartAsync(unstarted.PartId, unstarted.LeaseId, owner, CancellationToken.None).ConfigureAwait(false);
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        await Task.WhenAll(reports).ConfigureAwait(false);
        sweepLock.Release(stream.Value);
    }

    private static (string Host, bool Prod) HostOf(LeasedPart part)
    {
        using var payload = JsonDocument.Parse(part.Payload);
        return (payload.RootElement.GetProperty("host").GetString()!, payload.RootElement.GetProperty("prod").GetBoolean());
    }

    /// <summary>Runs one host's collector; its slot is free as soon as the process ends, the report is committed in the background.</summary>
    private async Task RunPartAsync(
        LeasedPart part,
        string host,
        string owner,
        CollectorSpec collector,
        string mode,
        StreamId stream,
        System.Collections.Concurrent.ConcurrentBag<Task> reports,
        Action? started,
        CancellationToken stop)
    {
        CommandResult run;
        try
        {
            var psi = CommandRunner.Prepare(collector.Command, collector.Shell, "{host}", host);
            run = await CommandRunner.RunAsync(psi, collector.HostTimeout, collector.OutputLimit, time, stop, started).ConfigureAwait(false);
        }
        catch (UnsafeValueException ex)
        {
            started?.Invoke();
            run = CommandRunner.Refused(ex);
        }

        var ok = run.ExitCode == 0;
        var error = run.TimedOut ? $"killed after the host time-out of {collector.HostTimeout.TotalSeconds:0} s"
            : stop.IsCancellationRequested ? "killed: the sweep ended (time limit or cancel)"
            : ok ? null : $"exit code {run.ExitCode}";
        var result = JsonSerializer.Serialize(new { exit_code = run.ExitCode, duration_ms = (long)run.Duration.TotalMilliseconds, output = run.Stdout, error });
        var history = new HostResultRecord(host, time.GetUtcNow(), ok ? "ok" : "failed", run.ExitCode, (long)run.Duration.TotalMilliseconds, run.Stdout, mode, stream.Value);
        var report = new PartReport(part.PartId, part.LeaseId, owner, ok ? PartOutcome.Ok : PartOutcome.Failed, result, run.Stderr.Length == 0 ? error : run.Stderr, HostResult: history);
        reports.Add(broker.ReportAsync(report, CancellationToken.None));
    }
}
