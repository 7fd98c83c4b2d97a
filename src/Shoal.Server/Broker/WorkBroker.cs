using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Core.Model;
using Shoal.Storage;

namespace Shoal.Server.Broker;

/// <summary>
/// The one way work moves: every lease and every report of every kind of agent (spawned agents through the dispatcher,
/// pull agents over REST, sweep collectors in process) goes through here, and here only the store is asked to lease,
/// complete or release. Leases and reports are group-committed: what arrived while the previous transaction ran is
/// served by the next one, in arrival order (one transaction for many agents keeps a job's counters from being a row
/// every agent waits on). Each change raises <see cref="WorkChanged"/>.
/// </summary>
internal sealed class WorkBroker(IShoalStore store, TimeProvider time, WorkChanged changes, Metrics.ShoalMetrics metrics, ILogger<WorkBroker> logger)
    : BackgroundService
{
    private const int MaxLeaseBatch = 256;
    private const int MaxReportBatch = 1024;

    // Each item is one caller's requests (or reports), kept together: the dispatcher's leases for all its idle agents
    // go into one transaction, as its reports do.
    private readonly Channel<(IReadOnlyList<LeaseRequest> Requests, TaskCompletionSource<IReadOnlyList<IReadOnlyList<LeasedPart>>> Done)> _leases =
        Channel.CreateBounded<(IReadOnlyList<LeaseRequest>, TaskCompletionSource<IReadOnlyList<IReadOnlyList<LeasedPart>>>)>(
            new BoundedChannelOptions(10_000) { SingleReader = true });

    private readonly Channel<(IReadOnlyList<PartReport> Reports, object? From, TaskCompletionSource<IReadOnlyList<ReportOutcome>> Done)> _reports =
        Channel.CreateBounded<(IReadOnlyList<PartReport>, object?, TaskCompletionSource<IReadOnlyList<ReportOutcome>>)>(
            new BoundedChannelOptions(100_000) { SingleReader = true });

    /// <summary>Leases up to the request's count of parts for one agent.</summary>
    public async Task<IReadOnlyList<LeasedPart>> LeaseAsync(LeaseRequest request, CancellationToken ct) =>
        (await LeaseManyAsync([request], ct).ConfigureAwait(false))[0];

    /// <summary>Leases for several agents at once, in one transaction (with whatever else arrived meanwhile).</summary>
    public async Task<IReadOnlyList<IReadOnlyList<LeasedPart>>> LeaseManyAsync(IReadOnlyList<LeaseRequest> requests, CancellationToken ct)
    {
        if (requests.Count == 0)
        {
            return [];
        }

        var done = new TaskCompletionSource<IReadOnlyList<IReadOnlyList<LeasedPart>>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _leases.Writer.WriteAsync((requests, done), ct).ConfigureAwait(false);
        return await done.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Commits a report; its outcome says whether it counted. <paramref name="from"/> is who reports: a listener of
    /// <see cref="WorkChanged"/> is not woken by a batch made only of its own reports.
    /// </summary>
    public async Task<ReportOutcome> ReportAsync(PartReport report, CancellationToken ct, object? from = null) =>
        (await ReportManyAsync([report], ct, from).ConfigureAwait(false))[0];

    /// <summary>Commits several reports in one transaction (with whatever else arrived meanwhile).</summary>
    public async Task<IReadOnlyList<ReportOutcome>> ReportManyAsync(IReadOnlyList<PartReport> reports, CancellationToken ct, object? from = null)
    {
        if (reports.Count == 0)
        {
            return [];
        }

        var done = new TaskCompletionSource<IReadOnlyList<ReportOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _reports.Writer.WriteAsync((reports, from, done), ct).ConfigureAwait(false);
        return await done.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Gives back the parts of agents of a previous run of this server (their names start with <paramref name="ownerPrefix"/>).</summary>
    public async Task<int> RecoverAsync(string ownerPrefix, CancellationToken ct)
    {
        var released = await store.ReleaseOwnersByPrefixAsync(ownerPrefix, time.GetUtcNow(), ct).ConfigureAwait(false);
        if (released > 0)
        {
            Log.Recovered(logger, released);
            changes.Raise(Change.PartsReady);
        }

        return released;
    }

    /// <summary>Gives back the parts an agent held when it died: each counts a failed try.</summary>
    public async Task ReleaseOwnerAsync(string owner, CancellationToken ct)
    {
        await store.ReleaseOwnerAsync(owner, time.GetUtcNow(), ct).ConfigureAwait(false);
        changes.Raise(Change.PartsReady);
    }

    /// <summary>Gives back a part leased but never started (no try is counted); false when the lease was no longer held.</summary>
    public async Task<bool> ReleasePartAsync(PartId part, long leaseId, string owner, CancellationToken ct)
    {
        var released = await store.ReleasePartAsync(part, leaseId, owner, ct).ConfigureAwait(false);
        if (released)
        {
            changes.Raise(Change.PartsReady);
        }

        return released;
    }

    /// <summary>
    /// Re-issues the parts whose lease ran out and fails the jobs past their time limit (the leader's duty: one server
    /// of a cluster does it). Returns the expired parts' count.
    /// </summary>
    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expired = await store.ExpireAsync(now, ct).ConfigureAwait(false);
        if (expired > 0)
        {
            Log.Expired(logger, expired);
            metrics.PartsExpired.Inc(expired);
            changes.Raise(Change.PartsReady);
        }

        foreach (var job in await store.FailTimedOutJobsAsync(now, ct).ConfigureAwait(false))
        {
            Log.JobTimedOut(logger, job.Value);
            changes.Raise(Change.JobStates);
        }

        return expired;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(LeaseLoopAsync(stoppingToken), ReportLoopAsync(stoppingToken));

    private async Task LeaseLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(IReadOnlyList<LeaseRequest> Requests, TaskCompletionSource<IReadOnlyList<IReadOnlyList<LeasedPart>>> Done)>();
        while (await _leases.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            for (var n = 0; n < MaxLeaseBatch && _leases.Reader.TryRead(out var item); n += item.Requests.Count)
            {
                batch.Add(item);
            }

            try
            {
                var leased = await store.LeaseManyAsync(batch.SelectMany(b => b.Requests).ToList(), stoppingToken).ConfigureAwait(false);
                var at = 0;
                foreach (var (requests, done) in batch)
                {
                    done.TrySetResult(leased.Skip(at).Take(requests.Count).ToList());
                    at += requests.Count;
                }
            }
            catch (Exception ex)
            {
                if (ex is not OperationCanceledException)
                {
                    Log.LeaseBatchFailed(logger, ex);
                }

                batch.ForEach(b => b.Done.TrySetException(ex));
            }

            batch.Clear();
        }
    }

    private async Task ReportLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(IReadOnlyList<PartReport> Reports, object? From, TaskCompletionSource<IReadOnlyList<ReportOutcome>> Done)>();
        while (await _reports.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            for (var n = 0; n < MaxReportBatch && _reports.Reader.TryRead(out var item); n += item.Reports.Count)
            {
                batch.Add(item);
            }

            try
            {
                var started = time.GetTimestamp();
                var reports = batch.SelectMany(b => b.Reports).ToList();
                var outcomes = await store.CompleteAsync(reports, time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                metrics.CommitSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);
                var ok = reports.Count(r => r.Outcome == PartOutcome.Ok);
                metrics.PartsReported.WithLabels("ok").Inc(ok);
                metrics.PartsReported.WithLabels("failed").Inc(reports.Count - ok);
                var at = 0;
                foreach (var (items, _, done) in batch)
                {
                    done.TrySetResult(outcomes.Skip(at).Take(items.Count).ToList());
                    at += items.Count;
                }

                var from = batch[0].From;
                changes.Raise(Change.PartsDone, batch.TrueForAll(b => b.From == from) ? from : null);
            }
            catch (Exception ex)
            {
                if (ex is not OperationCanceledException)
                {
                    Log.ReportBatchFailed(logger, ex);
                }

                batch.ForEach(b => b.Done.TrySetException(ex));
            }

            batch.Clear();
        }
    }
}
