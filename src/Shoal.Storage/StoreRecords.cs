using Shoal.Core.Model;

namespace Shoal.Storage;

/// <summary>How many agents may hold leases of a type at once (-1 unlimited, 0 held), and for how long a lease lasts.</summary>
public sealed record TypeLimit(string Type, int Max, TimeSpan Lease);

/// <summary>
/// One lease call: up to <paramref name="Max"/> parts for <paramref name="Owner"/> on <paramref name="Host"/>.
/// <paramref name="HostMax"/> is the number of agents that may hold leases on the host at once (-1 unlimited).
/// </summary>
/// <remarks><paramref name="Job"/> restricts the lease to one job (spawned agents serve one job);
/// <paramref name="SweepLockHeld"/> keeps jobs that declare <c>wait_for_lock = sweep</c> from leasing;
/// <paramref name="Tags"/>, when set, are the agent's tags: a job's <c>requires_tags</c> must all be among them;
/// <paramref name="KeyRanges"/>, when set, restricts keyed parts to those whose key byte lies in a range (affinity).</remarks>
public sealed record LeaseRequest(
    string Owner,
    string Host,
    int HostMax,
    IReadOnlyList<TypeLimit> Types,
    int Max,
    DateTimeOffset Now,
    TimeSpan? AgingStep,
    JobId? Job = null,
    IReadOnlyList<KeyRange>? KeyRanges = null,
    IReadOnlyList<string>? Tags = null,
    bool SweepLockHeld = false);

/// <summary>An inclusive range of key bytes (00–ff) a host owns.</summary>
public sealed record KeyRange(int From, int To);

/// <summary>
/// A part handed to an agent; <paramref name="PayloadIsJson"/> when the payload is an object's JSON text;
/// <paramref name="TraceParent"/> the W3C trace context of its lease-to-report trace, when traces are on.
/// </summary>
public sealed record LeasedPart(
    PartId PartId,
    long LeaseId,
    JobId JobId,
    string Type,
    int Attempt,
    string Payload,
    DateTimeOffset Deadline,
    bool PayloadIsJson = false,
    string? TraceParent = null);

/// <summary>What the agent says happened to a part.</summary>
public enum PartOutcome
{
    Ok,
    Failed,
}

/// <summary>A completion report for one part.</summary>
/// <remarks><paramref name="HostResult"/>, for a sweep's host, is added to the host's history in the same transaction.
/// <paramref name="Items"/> are outputs that become parts of the jobs generated from this part's job.
/// <paramref name="TraceParent"/>: the W3C trace context the part was leased under, when traces are on.</remarks>
public sealed record PartReport(
    PartId PartId,
    long LeaseId,
    string Owner,
    PartOutcome Outcome,
    string? Result = null,
    string? Log = null,
    IReadOnlyList<string>? Items = null,
    HostResultRecord? HostResult = null,
    string? TraceParent = null);

/// <summary>One visit of a host (a sweep's collector run, or a check-in), kept as the host's history.</summary>
/// <remarks><paramref name="Error"/>: what its collector wrote to stderr (the last 4 KB), or why it did not run.</remarks>
public sealed record HostResultRecord(string Host, DateTimeOffset At, string Status, int? ExitCode, long? DurationMs, string? Output, string Source, long? Stream, string? Error = null);

/// <summary>When a host last succeeded (sweep, gap-fix or check-in) and last checked in by itself.</summary>
public sealed record HostFreshness(DateTimeOffset? LastSuccess, DateTimeOffset? LastCheckin);

/// <summary>A sweep run: its stream and job, mode (sweep or gapfix), threads, start, time limit, hosts skipped because they checked in.</summary>
public sealed record SweepRecord(
    StreamId Stream,
    JobId Job,
    string Mode,
    int Threads,
    DateTimeOffset StartedAt,
    TimeSpan TimeLimit,
    IReadOnlyList<string> SkippedCheckedIn,
    bool Lock);

/// <summary>What the store made of a report.</summary>
public enum ReportOutcome
{
    /// <summary>The current owner reported; the part changed state.</summary>
    Accepted,

    /// <summary>A past lease reported ok while the part was not done (ready, leased again, or failed for good); accepted, and any newer lease is void.</summary>
    AcceptedLate,

    /// <summary>The part was already done: acknowledged, nothing changed.</summary>
    Duplicate,

    /// <summary>A past lease reported a failure: nothing changed.</summary>
    Ignored,

    UnknownPart,

    /// <summary>The lease named was never issued for this part, or belongs to another owner.</summary>
    NotOwner,
}

/// <summary>Per-job part counts.</summary>
public sealed record PartCounts(int Ready, int Leased, int Done, int Failed, int Retrying = 0)
{
    public int Total => Ready + Leased + Done + Failed + Retrying;
}

/// <summary>A stream as listed.</summary>
public sealed record StreamSummary(
    StreamId Id,
    string Name,
    string Owner,
    int Priority,
    StreamState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    string? Reason,
    string? Stuck = null,
    DateTimeOffset? StuckSince = null,
    StreamTotals? Totals = null);

/// <summary>A listed stream's parts over all its jobs: all of them, those done, those failed for good.</summary>
public sealed record StreamTotals(long Parts, long Done, long Failed);

/// <summary>A job with its counts.</summary>
public sealed record JobView(
    JobId Id,
    StreamId StreamId,
    string Name,
    string Type,
    JobState State,
    int Priority,
    PartCounts Parts,
    string? Reason,
    DateTimeOffset? ReadyAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<JobId> DependsOn,
    string? WaitForLock = null,
    string? Message = null);

/// <summary>A stream with its jobs.</summary>
public sealed record StreamDetail(StreamSummary Stream, IReadOnlyList<JobView> Jobs);

/// <summary>The ids a submit created.</summary>
public sealed record StreamCreated(StreamId Id, IReadOnlyDictionary<string, JobId> Jobs);

/// <summary>The rules a job takes from its agent type at submit time.</summary>
public sealed record JobRules(int Retries, OnPartFailure OnPartFailure, RetryPolicy? Retry = null);

/// <summary>Outcome of pause, resume and cancel.</summary>
public enum ControlOutcome
{
    Done,
    NotFound,
    InvalidState,
}

/// <summary>A job that may lease now and has ready parts, in leasing order (priority with aging, then age).</summary>
public sealed record JobDemand(JobId Job, StreamId Stream, string Type, int Ready, int Leased, bool WaitsForLock = false, string Name = "", IReadOnlyList<string>? RequiresTags = null);

/// <summary>A part as stored, for inspection and tests.</summary>
public sealed record PartView(PartId Id, JobId JobId, PartState State, int Attempt, long LeaseId, string? Owner, string Payload, string? Result);

/// <summary>The facts <c>shoal why</c> is computed from.</summary>
/// <remarks>
/// <paramref name="PartsAhead"/> are the ready parts of its type that go first by priority (forced, or a higher effective
/// priority); <paramref name="PartsEarlier"/> those of the same priority queued before it. <paramref name="AgentTokensWithTags"/>
/// counts the live agent tokens that carry all of <paramref name="RequiresTags"/>; <paramref name="SlotHolders"/> are the jobs
/// of its type holding leases (the first five).
/// </remarks>
public sealed record WhyFacts(
    JobView Job,
    StreamState StreamState,
    IReadOnlyList<(string Name, JobState State)> PendingDependencies,
    int TypeAgents,
    int PartsAhead,
    int PartsEarlier = 0,
    IReadOnlyList<string>? RequiresTags = null,
    int AgentTokensWithTags = 0,
    IReadOnlyList<(long Job, string Name)>? SlotHolders = null,
    NextRetry? NextRetry = null);

/// <summary>The part of a job that comes back first from its retry wait: it is tried for the <paramref name="Attempt"/>th time at <paramref name="At"/>.</summary>
public sealed record NextRetry(PartId Part, string Payload, int Attempt, DateTimeOffset At);

/// <summary>A stored API token (only its hash); <paramref name="Id"/> is assigned by the store.</summary>
public sealed record TokenRecord(string Hash, string Role, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, IReadOnlyList<string> Tags, long Id = 0);

/// <summary>What a pull agent's heartbeat found: whether its lease was extended, and the job's and stream's state.</summary>
public sealed record HeartbeatOutcome(bool Extended, DateTimeOffset Deadline, JobState Job, StreamState Stream, JobId JobId);

/// <summary>A recurring schedule: its rule, the stream template it submits, and when it runs next.</summary>
public sealed record ScheduleRecord(
    string Name,
    Shoal.Core.Schedules.ScheduleRule Rule,
    string Template,
    Shoal.Core.Schedules.Misfire Misfire,
    bool Overlap,
    bool Paused,
    DateTimeOffset NextAt,
    DateTimeOffset? LastAt,
    StreamId? LastStream);

/// <summary>
/// A server of the cluster as it last recorded itself; <paramref name="Agents"/> is its agents as JSON,
/// <paramref name="ClockOffsetMs"/> how far its own clock is behind the database's (which it runs on).
/// </summary>
public sealed record ServerRecord(string Name, string Url, DateTimeOffset StartedAt, DateTimeOffset LastSeen, bool Leader, string Agents, long ClockOffsetMs = 0);

/// <summary>Streams and jobs by state name, and all parts by state (ready, leased, done, failed).</summary>
public sealed record StoreCounts(IReadOnlyDictionary<string, long> Streams, IReadOnlyDictionary<string, long> Jobs, long Ready, long Leased, long Done, long Failed, long Stuck = 0, long Retrying = 0);

/// <summary>A part that failed for good.</summary>
public sealed record FailedPart(PartId Id, string Payload, int Attempt, string? Result, string? Log, string? Host);

/// <summary>When a pull agent (its lease owner) last called a server.</summary>
public sealed record AgentSeen(string Owner, DateTimeOffset At);

/// <summary>A sweep's part: the host it visits, the sweep (stream) and its mode (<c>sweep</c> or <c>gapfix</c>).</summary>
public sealed record SweepPartRecord(string Host, StreamId Stream, string Mode);
