using Microsoft.Extensions.Logging;
using Shoal.Core.Model;
using Shoal.Storage;

namespace Shoal.Server.Broker;

/// <summary>
/// The one way work moves: every lease and every report of every kind of agent (spawned agents through the dispatcher,
/// pull agents over REST, sweep collectors in process) goes through here, and here only the store is asked to lease,
/// complete, release, recover or expire. Leases and reports are group-committed (<see cref="GroupCommit{TIn, TOut}"/>):
/// a caller's items go into one transaction together, with whatever arrived while the previous one ran (one transaction
/// for many agents keeps a job's counters from being a row every agent waits on). Each change raises
/// <see cref="WorkChanged"/>.
/// </summary>
internal sealed class WorkBroker : IDisposable
{
    private const int MaxLeaseBatch = 256;
    private const int MaxReportBatch = 1024;

    private readonly IWorkStore _store;
    private readonly TimeProvider _time;
    private readonly WorkChanged _changes;
    private readonly Metrics.ShoalMetrics _metrics;
    private readonly ILogger<WorkBroker> _logger;
    private readonly PullAgentRoster _roster;
    private readonly GroupCommit<LeaseRequest, IReadOnlyList<LeasedPart>> _leases;
    private readonly GroupCommit<PartReport, ReportOutcome> _reports;

    public WorkBroker(IWorkStore store, TimeProvider time, WorkChanged changes, Metrics.ShoalMetrics metrics, PullAgentRoster roster, ILogger<WorkBroker> logger)
    {
        _roster = roster;
        _store = store;
        _time = time;
        _changes = changes;
        _metrics = metrics;
        _logger = logger;
        // A commit once started runs to its end (a short transaction): no caller's cancellation cuts the others' work.
        _leases = new(MaxLeaseBatch, (requests, _) => store.LeaseManyAsync(requests, CancellationToken.None), ex => Log.LeaseBatchFailed(logger, ex));
        _reports = new(MaxReportBatch, CommitReportsAsync, ex => Log.ReportBatchFailed(logger, ex));
    }

    /// <summary>Leases up to the request's count of parts for one agent.</summary>
    public async Task<IReadOnlyList<LeasedPart>> LeaseAsync(LeaseRequest request, CancellationToken ct) =>
        (await LeaseManyAsync([request], ct).ConfigureAwait(false))[0];

    /// <summary>Leases for several agents at once, in one transaction (with whatever else arrived meanwhile).</summary>
    public async Task<IReadOnlyList<IReadOnlyList<LeasedPart>>> LeaseManyAsync(IReadOnlyList<LeaseRequest> requests, CancellationToken ct)
    {
        using var span = Metrics.Telemetry.Source.StartActivity("shoal.lease");
        span?.SetTag("shoal.lease.requests", requests.Count);
        span?.SetTag("shoal.agent", requests[0].Owner);
        var leased = await _leases.RunAsync(requests, null, ct).ConfigureAwait(false);
        span?.SetTag("shoal.lease.parts", leased.Sum(l => l.Count));
        return Metrics.Telemetry.Source.HasListeners() ? leased.Select((l, i) => Metrics.Telemetry.TraceParts(l, requests[i].Owner, span)).ToList() : leased;
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
        using var span = Metrics.Telemetry.Source.StartActivity("shoal.report");
        span?.SetTag("shoal.report.parts", reports.Count);
        span?.SetTag("shoal.part", reports[0].PartId.Value);
        span?.SetTag("shoal.agent", reports[0].Owner);
        var outcomes = await _reports.RunAsync(reports, from, ct).ConfigureAwait(false);
        span?.SetTag("shoal.report.counted", outcomes.Count(o => o is ReportOutcome.Accepted or ReportOutcome.AcceptedLate));
        Metrics.Telemetry.PartsReported(reports, outcomes);
        return outcomes;
    }

    /// <summary>
    /// A pull agent's heartbeat: extends its lease (to the job type's <paramref name="leaseOf"/> from now) if it still
    /// holds it; null for an unknown part.
    /// </summary>
    public Task<HeartbeatOutcome?> HeartbeatAsync(PartId part, long leaseId, string owner, Func<string, TimeSpan> leaseOf, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        return _store.HeartbeatAsync(part, leaseId, owner, type => now + leaseOf(type), ct);
    }

    /// <summary>Gives back the parts of agents of a previous run of this server (their names start with <paramref name="ownerPrefix"/>).</summary>
    public async Task<int> RecoverAsync(string ownerPrefix, CancellationToken ct)
    {
        var released = await _store.ReleaseOwnersByPrefixAsync(ownerPrefix, _time.GetUtcNow(), ct).ConfigureAwait(false);
        if (released > 0)
        {
            Log.Recovered(_logger, released);
            _changes.Raise(Change.PartsReady);
        }

        return released;
    }

    /// <summary>Gives back the parts an agent held when it died: each counts a failed try, <paramref name="why"/> its log.</summary>
    public async Task ReleaseOwnerAsync(string owner, string why, CancellationToken ct)
    {
        await _store.ReleaseOwnerAsync(owner, why, _time.GetUtcNow(), ct).ConfigureAwait(false);
        _changes.Raise(Change.PartsReady);
    }

    /// <summary>Records when the pull agents this server heard from last called it (for the leader of a cluster to see).</summary>
    public Task RecordAgentsSeenAsync(IReadOnlyList<AgentSeen> seen, string server, CancellationToken ct) =>
        _store.RecordAgentsSeenAsync(seen, server, ct);

    /// <summary>
    /// Gives back at once the parts of the pull agents no server has heard from for <paramref name="lostAfter"/> (the
    /// leader's duty): each counts a failed try, as when a spawned agent dies, rather than waiting for its deadline.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReleaseLostAgentsAsync(TimeSpan lostAfter, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var why = $"agent lost: no call for {lostAfter.TotalSeconds:0} s";
        var lost = await _store.ReleaseLostAgentsAsync(now - lostAfter, why, now, ct).ConfigureAwait(false);
        foreach (var owner in lost)
        {
            Log.PullAgentLost(_logger, owner, lostAfter.TotalSeconds);
        }

        if (lost.Count > 0)
        {
            _changes.Raise(Change.PartsReady);
        }

        return lost;
    }

    /// <summary>Gives back a part leased but never started (no try is counted); false when the lease was no longer held.</summary>
    public async Task<bool> ReleasePartAsync(PartId part, long leaseId, string owner, CancellationToken ct)
    {
        var released = await _store.ReleasePartAsync(part, leaseId, owner, ct).ConfigureAwait(false);
        if (released)
        {
            _changes.Raise(Change.PartsReady);
        }

        return released;
    }

    /// <summary>
    /// Re-issues the parts whose lease ran out, makes ready those whose retry time came, and fails the jobs past their time limit (the leader's duty: one server
    /// of a cluster does it). Returns the expired parts' count.
    /// </summary>
    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var expired = await _store.ExpireAsync(now, ct).ConfigureAwait(false);
        if (expired > 0)
        {
            Log.Expired(_logger, expired);
            _metrics.PartsExpired.Add(expired);
            _changes.Raise(Change.PartsReady);
        }

        if (await _store.ReadyRetriesAsync(now, ct).ConfigureAwait(false) > 0)
        {
            _changes.Raise(Change.PartsReady);
        }

        var timedOut = await _store.FailTimedOutJobsAsync(now, ct).ConfigureAwait(false);
        foreach (var job in timedOut)
        {
            Log.JobTimedOut(_logger, job.Value);
        }

        if (timedOut.Count > 0)
        {
            _changes.Raise(Change.JobStates);
        }

        return expired;
    }

    public void Dispose()
    {
        _leases.Dispose();
        _reports.Dispose();
    }

    private async Task<IReadOnlyList<ReportOutcome>> CommitReportsAsync(IReadOnlyList<PartReport> reports, IReadOnlyList<object?> from)
    {
        var started = _time.GetTimestamp();
        var outcomes = await _store.CompleteAsync(reports, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        _metrics.CommitSeconds.Record(_time.GetElapsedTime(started).TotalSeconds);
        var ok = reports.Count(r => r.Outcome == PartOutcome.Ok);
        _metrics.PartsReported.Add(ok, new KeyValuePair<string, object?>("outcome", "ok"));
        _metrics.PartsReported.Add(reports.Count - ok, new KeyValuePair<string, object?>("outcome", "failed"));
        _roster.Reported(reports, outcomes);
        // A listener is not woken by a batch made only of its own reports.
        _changes.Raise(Change.PartsDone, from.All(f => f == from[0]) ? from[0] : null);
        return outcomes;
    }
}
