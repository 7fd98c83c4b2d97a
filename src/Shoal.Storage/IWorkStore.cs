using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage;

/// <summary>The work path: leases, reports, releases, expiry. Only the server's work broker holds it. A role of <see cref="IShoalStore"/>.</summary>
public interface IWorkStore
{
    /// <summary>Leases up to <c>Max</c> of the best ready parts (priority with aging, then age), within every limit.</summary>
    Task<IReadOnlyList<LeasedPart>> LeaseAsync(LeaseRequest request, CancellationToken ct);

    /// <summary>Serves several lease requests (one per idle agent) in one transaction, in order.</summary>
    Task<IReadOnlyList<IReadOnlyList<LeasedPart>>> LeaseManyAsync(IReadOnlyList<LeaseRequest> requests, CancellationToken ct);

    /// <summary>Applies many reports in one transaction (group commit).</summary>
    Task<IReadOnlyList<ReportOutcome>> CompleteAsync(IReadOnlyList<PartReport> reports, DateTimeOffset now, CancellationToken ct);

    /// <summary>A pull agent's heartbeat: extends its current lease (to <paramref name="deadlineOf"/> the job's type) if it still holds it.</summary>
    Task<HeartbeatOutcome?> HeartbeatAsync(PartId part, long leaseId, string owner, Func<string, DateTimeOffset> deadlineOf, CancellationToken ct);

    /// <summary>The agent died: its leased parts count a failed try, as if their leases expired now; <paramref name="why"/> is their log.</summary>
    Task<int> ReleaseOwnerAsync(string owner, string why, DateTimeOffset now, CancellationToken ct);

    /// <summary>Releases every lease whose owner starts with <paramref name="prefix"/> (a restarted server's agents).</summary>
    Task<int> ReleaseOwnersByPrefixAsync(string prefix, DateTimeOffset now, CancellationToken ct);

    /// <summary>Records when pull agents last called <paramref name="server"/>; a later call recorded by any server wins.</summary>
    Task RecordAgentsSeenAsync(IReadOnlyList<AgentSeen> seen, string server, CancellationToken ct);

    /// <summary>
    /// Releases, as <see cref="ReleaseOwnerAsync"/> does, the leases of every pull agent no server has heard from since
    /// <paramref name="silentSince"/>; returns those agents (owners).
    /// </summary>
    Task<IReadOnlyList<string>> ReleaseLostAgentsAsync(DateTimeOffset silentSince, string why, DateTimeOffset now, CancellationToken ct);

    /// <summary>Gives back a leased part that was never started: ready again, no attempt counted.</summary>
    Task<bool> ReleasePartAsync(PartId part, long leaseId, string owner, CancellationToken ct);

    /// <summary>Returns parts whose lease deadline passed to ready (attempt + 1) or failed past their retries.</summary>
    Task<int> ExpireAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Makes ready the parts whose retry time has come (<see cref="Shoal.Core.Model.PartState.Retrying"/>); returns how many.</summary>
    Task<int> ReadyRetriesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Fails running jobs whose wall-clock timeout passed; returns them.</summary>
    Task<IReadOnlyList<JobId>> FailTimedOutJobsAsync(DateTimeOffset now, CancellationToken ct);
}
