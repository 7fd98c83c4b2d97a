using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage;

/// <summary>
/// The store is the truth: every state change of streams, jobs and parts is one transaction here.
/// Implemented by SQLite (embedded) and PostgreSQL (several servers on one queue); both run the same contract tests.
/// </summary>
public interface IShoalStore : IAsyncDisposable
{
    Task MigrateAsync(CancellationToken ct);

    Task<StreamCreated> SubmitAsync(StreamSpec spec, Func<string, JobRules> rules, DateTimeOffset now, CancellationToken ct);

    /// <summary>Leases up to <c>Max</c> of the best ready parts (priority with aging, then age), within every limit.</summary>
    Task<IReadOnlyList<LeasedPart>> LeaseAsync(LeaseRequest request, CancellationToken ct);

    /// <summary>Serves several lease requests (one per idle agent) in one transaction, in order.</summary>
    Task<IReadOnlyList<IReadOnlyList<LeasedPart>>> LeaseManyAsync(IReadOnlyList<LeaseRequest> requests, CancellationToken ct);

    /// <summary>Applies many reports in one transaction (group commit).</summary>
    Task<IReadOnlyList<ReportOutcome>> CompleteAsync(IReadOnlyList<PartReport> reports, DateTimeOffset now, CancellationToken ct);

    /// <summary>Returns parts whose lease deadline passed to ready (attempt + 1) or failed past their retries.</summary>
    Task<int> ExpireAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>The agent died: its leased parts count a failed try, as if their leases expired now.</summary>
    Task<int> ReleaseOwnerAsync(string owner, DateTimeOffset now, CancellationToken ct);

    /// <summary>Releases every lease whose owner starts with <paramref name="prefix"/> (a restarted server's agents).</summary>
    Task<int> ReleaseOwnersByPrefixAsync(string prefix, DateTimeOffset now, CancellationToken ct);

    /// <summary>Gives back a leased part that was never started: ready again, no attempt counted.</summary>
    Task<bool> ReleasePartAsync(PartId part, long leaseId, string owner, CancellationToken ct);

    /// <summary>Extends the current lease of a part.</summary>
    Task<bool> ExtendLeaseAsync(PartId part, long leaseId, DateTimeOffset deadline, CancellationToken ct);

    /// <summary>Fails running jobs whose wall-clock timeout passed; returns them.</summary>
    Task<IReadOnlyList<JobId>> FailTimedOutJobsAsync(DateTimeOffset now, CancellationToken ct);

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

    Task<IReadOnlyList<StreamSummary>> ListStreamsAsync(StreamState? state, string? nameContains, int limit, CancellationToken ct);

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

    Task<WhyFacts?> GetWhyFactsAsync(JobId id, DateTimeOffset now, TimeSpan? agingStep, CancellationToken ct);

    /// <summary>Stores a token (by hash; the same hash twice is one token) and returns its id.</summary>
    Task<long> AddTokenAsync(TokenRecord token, CancellationToken ct);

    Task<TokenRecord?> FindTokenAsync(string hash, CancellationToken ct);

    Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken ct);

    /// <summary>Revokes a token by id; false when there is no such live token.</summary>
    Task<bool> RevokeTokenAsync(long id, DateTimeOffset now, CancellationToken ct);

    /// <summary>A setting shared by every server of the store, created with <paramref name="create"/> the first time.</summary>
    Task<string> GetOrCreateSettingAsync(string key, Func<string> create, CancellationToken ct);

    /// <summary>A pull agent's heartbeat: extends its current lease (to <paramref name="deadlineOf"/> the job's type) if it still holds it.</summary>
    Task<HeartbeatOutcome?> HeartbeatAsync(PartId part, long leaseId, string owner, Func<string, DateTimeOffset> deadlineOf, CancellationToken ct);

    /// <summary>Moves a live job's parts on top of the stack (before any priority).</summary>
    Task<ControlOutcome> ForceJobAsync(JobId id, CancellationToken ct);

    /// <summary>Submits a sweep's stream and records the sweep, in one transaction.</summary>
    Task<StreamCreated> SubmitSweepAsync(StreamSpec spec, Func<StreamCreated, SweepRecord> sweep, DateTimeOffset now, CancellationToken ct);

    Task<SweepRecord?> GetSweepAsync(StreamId stream, CancellationToken ct);

    Task<IReadOnlyList<SweepRecord>> ListSweepsAsync(int limit, CancellationToken ct);

    /// <summary>The collector of a sweep job (null for other jobs).</summary>
    Task<CollectorSpec?> GetCollectorAsync(JobId job, CancellationToken ct);

    /// <summary>A host reported by itself; <paramref name="payload"/> (JSON) is kept as its result.</summary>
    Task AddCheckinAsync(string host, string? payload, DateTimeOffset now, CancellationToken ct);

    Task<IReadOnlyList<HostResultRecord>> GetHostResultsAsync(string host, int limit, CancellationToken ct);

    Task<IReadOnlyDictionary<string, HostFreshness>> GetHostFreshnessAsync(IReadOnlyCollection<string> hosts, CancellationToken ct);

    /// <summary>Adds a schedule; false when the name is taken.</summary>
    Task<bool> AddScheduleAsync(ScheduleRecord schedule, CancellationToken ct);

    Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(CancellationToken ct);

    Task<bool> RemoveScheduleAsync(string name, CancellationToken ct);

    Task<bool> SetSchedulePausedAsync(string name, bool paused, CancellationToken ct);

    /// <summary>Records a firing (or a skipped one): the stream submitted, if any, and the next time.</summary>
    Task RecordScheduleRunAsync(string name, DateTimeOffset at, StreamId? stream, DateTimeOffset nextAt, CancellationToken ct);

    /// <summary>Finished streams whose completion has not been notified yet, oldest first.</summary>
    Task<IReadOnlyList<StreamDetail>> GetUnnotifiedStreamsAsync(int limit, CancellationToken ct);

    Task MarkNotifiedAsync(StreamId stream, DateTimeOffset now, CancellationToken ct);

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

    /// <summary>Every server that has recorded itself, by name.</summary>
    /// <summary>Whether writes succeed, and why not.</summary>
    StoreHealth Health { get; }

    /// <summary>The database's clock (PostgreSQL), which the servers of a cluster keep their time by; null for SQLite.</summary>
    Task<DateTimeOffset?> DatabaseNowAsync(CancellationToken ct);

    Task<IReadOnlyList<ServerRecord>> ListServersAsync(CancellationToken ct);

    /// <summary>How many streams and jobs are in each state, and the parts of all jobs by state (for the dashboard).</summary>
    Task<StoreCounts> CountsAsync(CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> parts of a job that failed for good, with their last log.</summary>
    Task<IReadOnlyList<FailedPart>> GetFailedPartsAsync(JobId job, int limit, CancellationToken ct);
}
