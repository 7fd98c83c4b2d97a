using System.Collections.Concurrent;
using System.Text.Json;
using Shoal.Agent;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Server.Pull;
using Shoal.Storage;

namespace Shoal.Server.Sweeps;

/// <summary>
/// A sweep job's hosts for the pull worker that visits them, straight from the work broker. It leases ahead in batches
/// (one transaction for up to twice the threads; production hosts were stored first, so they come first), hands out no
/// other host before every production host handed out has started, and none past the sweep's time limit. A report
/// carries the host's result for its history and is committed in the background: a thread is free for the next host
/// as soon as a collector ends.
/// </summary>
internal sealed class SweepPartSource(
    Broker.WorkBroker broker,
    Broker.WorkSignal signal,
    TimeProvider time,
    SweepRun sweep) : IPartSource
{
    /// <summary>How often to look again when there is nothing to hand out: real time even under a fake clock, it decides no outcome.</summary>
    private static readonly TimeProvider Cadence = TimeProvider.System;

    private readonly Queue<LeasedPart> _pending = new();
    private readonly ConcurrentDictionary<long, (string Host, bool Prod)> _handedOut = new();
    private readonly ConcurrentBag<Task> _reports = [];
    private readonly ConcurrentDictionary<long, byte> _running = new();
    // A host leased ahead waits at most one wave of collectors (each killed at the host time-out) before its own run:
    // its lease covers both, or it would run out while the host still runs (and be counted failed).
    private readonly IReadOnlyList<TypeLimit> _limits = [new(BuiltInTypes.Sweep, -1, (2 * sweep.Collector.HostTimeout) + TimeSpan.FromMinutes(1))];
    private int _prodStarting;
    private TaskCompletionSource _changed = NewSignal();

    public async Task<IReadOnlyList<LeasedPartDto>> LeaseAsync(int max, TimeSpan wait, CancellationToken ct)
    {
        var until = Cadence.GetTimestamp();
        while (true)
        {
            var woken = signal.Next;
            var changed = Volatile.Read(ref _changed).Task;
            await RefillAsync().ConfigureAwait(false);
            var handed = HandOut(max);
            if (handed.Count > 0 || Cadence.GetElapsedTime(until) >= wait)
            {
                return handed;
            }

            var pause = Task.Delay(TimeSpan.FromMilliseconds(_prodStarting > 0 ? 50 : 250), Cadence, ct);
            await Task.WhenAny(woken, changed, pause).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Never asked: a collector is killed at its host time-out, a minute inside its lease (the runner does not heartbeat
    /// such a part), and at the sweep's end by the worker. Nothing to extend, nothing to stop.
    /// </summary>
    public Task<bool> HeartbeatAsync(LeasedPartDto part, CancellationToken ct) => Task.FromResult(false);

    /// <summary>The hosts (part ids) whose collector runs now.</summary>
    public IReadOnlyCollection<long> RunningParts => (IReadOnlyCollection<long>)_running.Keys;

    public void Started(LeasedPartDto part)
    {
        _running[part.PartId] = 0;
        if (_handedOut.TryGetValue(part.PartId, out var host) && host.Prod && Interlocked.Decrement(ref _prodStarting) == 0)
        {
            Pulse();
        }
    }

    public Task ReportAsync(LeasedPartDto part, CommandResult run, bool aborted, CancellationToken ct)
    {
        var (host, _) = _handedOut[part.PartId];
        _running.TryRemove(part.PartId, out _);
        var (ok, result, said) = CollectorReport.Of(run, aborted, sweep.Collector.HostTimeout);
        var history = SweepHistory.Of(host, ok, result, said, sweep.Mode, sweep.Stream.Value, time.GetUtcNow());
        var report = new PartReport(new PartId(part.PartId), part.LeaseId, sweep.Owner, ok ? PartOutcome.Ok : PartOutcome.Failed, result, said, HostResult: history, TraceParent: part.Traceparent);
        _reports.Add(broker.ReportAsync(report, CancellationToken.None));
        Pulse();
        return Task.CompletedTask;
    }

    /// <summary>
    /// After the worker stopped: hosts leased ahead but never started are given back as not run (their lease would
    /// otherwise expire first), so the sweep's accounting is exact at once; then every report is committed.
    /// </summary>
    public async Task FinishAsync()
    {
        while (_pending.TryDequeue(out var unstarted))
        {
            await broker.ReleasePartAsync(unstarted.PartId, unstarted.LeaseId, sweep.Owner, CancellationToken.None).ConfigureAwait(false);
        }

        await Task.WhenAll(_reports).ConfigureAwait(false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Pulse() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private async Task RefillAsync()
    {
        var threads = sweep.Collector.Threads;
        if (_pending.Count < threads && time.GetUtcNow() < sweep.Deadline)
        {
            var want = Math.Min(1000, (2 * threads) - _pending.Count);
            var request = new LeaseRequest(sweep.Owner, sweep.Owner, -1, _limits, want, time.GetUtcNow(), null, sweep.Job);
            foreach (var part in await broker.LeaseAsync(request, CancellationToken.None).ConfigureAwait(false))
            {
                _pending.Enqueue(part);
            }
        }
    }

    /// <summary>Up to <paramref name="max"/> hosts, production first: no other host goes before every production host handed out has started.</summary>
    private List<LeasedPartDto> HandOut(int max)
    {
        var handed = new List<LeasedPartDto>();
        // Past the time limit no host starts: what is still queued is "not attempted" (the store fails the job at its deadline).
        while (handed.Count < max && time.GetUtcNow() < sweep.Deadline && _pending.TryPeek(out var next))
        {
            var (host, prod) = HostOf(next);
            if (!prod && Volatile.Read(ref _prodStarting) > 0)
            {
                break;
            }

            _pending.Dequeue();
            if (prod)
            {
                Interlocked.Increment(ref _prodStarting);
            }

            _handedOut[next.PartId.Value] = (host, prod);
            handed.Add(new LeasedPartDto(next.PartId.Value, next.LeaseId, next.Deadline, next.Attempt, JsonSerializer.SerializeToElement(host), next.JobId.Value, next.Type, Traceparent: next.TraceParent));
        }

        return handed;
    }

    private static (string Host, bool Prod) HostOf(LeasedPart part)
    {
        using var payload = JsonDocument.Parse(part.Payload);
        return (payload.RootElement.GetProperty("host").GetString()!, payload.RootElement.GetProperty("prod").GetBoolean());
    }
}

/// <summary>One sweep job as its worker runs it: whose leases, which collector, which history mode, until when.</summary>
internal sealed record SweepRun(JobId Job, StreamId Stream, string Owner, CollectorSpec Collector, string Mode, DateTimeOffset Deadline);
