using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage;

/// <summary>
/// The queue as operators and views see it: submit, control, queries, notification, retention, the cluster's servers.
/// A role of <see cref="IShoalStore"/>.
/// </summary>
public interface IQueueStore
{
    Task<StreamCreated> SubmitAsync(StreamSpec spec, Func<string, JobRules> rules, DateTimeOffset now, CancellationToken ct);

    Task<ControlOutcome> PauseStreamAsync(StreamId id, DateTimeOffset now, CancellationToken ct);

    Task<ControlOutcome> ResumeStreamAsync(StreamId id, DateTimeOffset now, CancellationToken ct);

    Task<ControlOutcome> CancelStreamAsync(StreamId id, string reason, DateTimeOffset now, CancellationToken ct);

    /// <summary>Ends a live job as <see cref="JobState.Failed"/> or <see cref="JobState.Cancelled"/>; its dependents are cancelled.</summary>
    Task<ControlOutcome> EndJobAsync(JobId id, JobState state, string reason, DateTimeOffset now, CancellationToken ct);

    /// <summary>Sets a live job's priority.</summary>
    Task<ControlOutcome> SetJobPriorityAsync(JobId id, int priority, CancellationToken ct);

    /// <summary>Keeps an agent's <c>EMAIL</c> text as the job's message (the last one wins): it goes into the completion email.</summary>
    Task SetJobMessageAsync(JobId id, string message, CancellationToken ct);

    Task<ControlOutcome> PauseJobAsync(JobId id, DateTimeOffset now, CancellationToken ct);

    Task<ControlOutcome> ResumeJobAsync(JobId id, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Gives a failed job's failed parts fresh tries and re-opens it, the dependents its failure cancelled, and its
    /// stream (a job completed with failed parts too). <see cref="ControlOutcome.InvalidState"/> when nothing failed.
    /// </summary>
    Task<ControlOutcome> RequeueJobAsync(JobId id, DateTimeOffset now, CancellationToken ct);

    /// <summary>Requeues every failed job of a stream (see <see cref="RequeueJobAsync"/>).</summary>
    Task<ControlOutcome> RequeueStreamAsync(StreamId id, DateTimeOffset now, CancellationToken ct);

    Task<IReadOnlyList<StreamSummary>> ListStreamsAsync(StreamState? state, string? nameContains, string? owner, int limit, CancellationToken ct);

    Task<StreamDetail?> GetStreamAsync(StreamId id, CancellationToken ct);

    Task<JobView?> GetJobAsync(JobId id, CancellationToken ct);

    Task<IReadOnlyList<PartView>> GetPartsAsync(JobId job, CancellationToken ct);

    Task<bool> PartExistsAsync(PartId part, CancellationToken ct);

    /// <summary>Jobs with ready parts that may lease now, best first.</summary>
    /// <remarks>
    /// <paramref name="types"/> (null for all) keeps the answer to the types its caller can run: a long queue of pull
    /// work must not hide a spawned or sweep job behind the answer's 500 rows.
    /// </remarks>
    Task<IReadOnlyList<JobDemand>> GetDemandAsync(DateTimeOffset now, TimeSpan? agingStep, IReadOnlyCollection<string>? types, CancellationToken ct);

    /// <summary>The distinct key bytes of a job's ready parts (for choosing a host by affinity).</summary>
    Task<IReadOnlyList<int>> GetReadyKeyBytesAsync(JobId job, CancellationToken ct);

    /// <summary>The states of the given jobs (for stopping agents whose job ended or was paused).</summary>
    Task<IReadOnlyDictionary<JobId, JobState>> GetJobStatesAsync(IReadOnlyCollection<JobId> jobs, CancellationToken ct);

    /// <summary>The parts leased now, by owner, for owners whose names start with <paramref name="prefix"/> (no <c>%</c> or <c>_</c> in it).</summary>
    Task<IReadOnlyDictionary<string, int>> CountLeasesByOwnerAsync(string prefix, CancellationToken ct);

    /// <summary>When each pull agent (its lease owner) last called any server of the queue, as the servers recorded it.</summary>
    Task<IReadOnlyList<AgentSeen>> ListAgentsSeenAsync(CancellationToken ct);

    /// <summary>How many owners whose names start with <paramref name="prefix"/> hold leases, by job.</summary>
    Task<IReadOnlyDictionary<JobId, int>> CountLeaseHoldersByJobAsync(string prefix, CancellationToken ct);

    Task<WhyFacts?> GetWhyFactsAsync(JobId id, DateTimeOffset now, TimeSpan? agingStep, CancellationToken ct);

    /// <summary>A setting shared by every server of the store, created with <paramref name="create"/> the first time.</summary>
    Task<string> GetOrCreateSettingAsync(string key, Func<string> create, CancellationToken ct);

    /// <summary>Moves a live job's parts on top of the stack (before any priority).</summary>
    Task<ControlOutcome> ForceJobAsync(JobId id, CancellationToken ct);

    /// <summary>Finished streams whose completion has not been notified yet, oldest first.</summary>
    Task<IReadOnlyList<StreamDetail>> GetUnnotifiedStreamsAsync(int limit, CancellationToken ct);

    Task MarkNotifiedAsync(StreamId stream, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Records which live streams are stuck now, with their reasons: others lose their mark (and are told again if
    /// they get stuck again). Returns the streams that were not stuck before.
    /// </summary>
    Task<IReadOnlyList<StreamId>> MarkStuckAsync(IReadOnlyDictionary<StreamId, string> stuck, DateTimeOffset now, CancellationToken ct);

    /// <summary>Live stuck streams whose owner has not been told yet, oldest first.</summary>
    Task<IReadOnlyList<StreamDetail>> GetUnnotifiedStuckAsync(int limit, CancellationToken ct);

    Task MarkStuckNotifiedAsync(StreamId stream, DateTimeOffset now, CancellationToken ct);

    /// <summary>Purges up to <paramref name="batch"/> finished streams (with jobs and parts) and host results older than <paramref name="before"/>, and host results beyond the newest <paramref name="perHost"/>; returns the rows removed.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, int perHost, int batch, CancellationToken ct);

    /// <summary>Row counts per table, and the database's size in bytes.</summary>
    Task<IReadOnlyDictionary<string, long>> StatsAsync(CancellationToken ct);

    /// <summary>Generates up to <paramref name="limit"/> parts of jobs with a range generator; returns the job touched, or null when none is left.</summary>
    Task<JobId?> GeneratePartsAsync(int limit, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Raised (on a background thread) when a server of the cluster, this one included, made parts ready to lease.
    /// Only a store shared by several servers raises it; the first handler added starts listening.
    /// </summary>
    event Action? WorkAvailable;

    /// <summary>Takes, or keeps, the leadership of the cluster (the time-based duties); a store of one server always leads.</summary>
    Task<bool> TryLeadAsync(CancellationToken ct);

    /// <summary>Records this server as alive (inserted or updated by name).</summary>
    Task RecordServerAsync(ServerRecord server, CancellationToken ct);

    /// <summary>Whether writes succeed, and why not.</summary>
    StoreHealth Health { get; }

    /// <summary>The database's clock (PostgreSQL), which the servers of a cluster keep their time by; null for SQLite.</summary>
    Task<DateTimeOffset?> DatabaseNowAsync(CancellationToken ct);

    /// <summary>Every server that has recorded itself, by name.</summary>
    Task<IReadOnlyList<ServerRecord>> ListServersAsync(CancellationToken ct);

    /// <summary>How many streams and jobs are in each state, and the parts of all jobs by state (for the dashboard).</summary>
    Task<StoreCounts> CountsAsync(CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> parts of a job that failed for good, with their last log.</summary>
    Task<IReadOnlyList<FailedPart>> GetFailedPartsAsync(JobId job, int limit, CancellationToken ct);
}
