namespace Shoal.Contracts;

/// <summary>Answer to <c>POST /api/v1/streams</c>: the stream id and each job's id by name.</summary>
public sealed record SubmitResponse(long Id, IReadOnlyDictionary<string, long> Jobs);

/// <summary>
/// What <c>POST /api/v1/streams/check</c> found a stream would create: each job with its listed parts and, for a
/// generated job, what generates its parts (<c>range 10.0.0.0/16 by 256</c>, <c>file hosts.txt by 1</c>, <c>from scan</c>).
/// </summary>
public sealed record StreamCheckResponse(string Name, int Priority, IReadOnlyList<CheckedJobDto> Jobs);

/// <summary>One job of a checked stream.</summary>
public sealed record CheckedJobDto(string Name, string Type, IReadOnlyList<string> DependsOn, int Parts, string? Generated);

/// <summary>Part counts of a job.</summary>
/// <summary>A job's parts by state; <c>Retrying</c> failed a try and wait for their retry time.</summary>
/// <remarks><c>NotRun</c>: parts of an ended job (cancelled, failed, forced) that were never run and never will be.</remarks>
public sealed record PartCountsDto(int Ready, int Leased, int Done, int Failed, int Retrying = 0, int NotRun = 0);

/// <summary>A job as the API shows it; <c>Why</c> is set on single-job answers.</summary>
public sealed record JobDto(
    long Id,
    string Name,
    string Type,
    string State,
    PartCountsDto Parts,
    string? Reason,
    IReadOnlyList<long> DependsOn,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<string>? Why = null,
    long StreamId = 0);

/// <summary>A stream in a list.</summary>
/// <remarks><c>Stuck</c> is set on a live stream that cannot finish: why, since <c>StuckSince</c>.</remarks>
public sealed record StreamSummaryDto(
    long Id, string Name, string Owner, int Priority, string State, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, string? Stuck = null, DateTimeOffset? StuckSince = null,
    long Parts = 0, long Done = 0, long Failed = 0);

/// <summary>A stream with its jobs.</summary>
public sealed record StreamDto(
    long Id,
    string Name,
    string Owner,
    int Priority,
    string State,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<JobDto> Jobs,
    string? Stuck = null,
    DateTimeOffset? StuckSince = null);

/// <summary>The state after pause, resume or cancel.</summary>
public sealed record ControlResponse(long Id, string State);

/// <summary>Why a job is not progressing, most important reason first.</summary>
public sealed record WhyResponse(long Job, string State, IReadOnlyList<string> Reasons);

/// <summary>
/// Answer to <c>GET /health</c>: whether the store answers and takes writes, whether this server runs the time-based duties
/// (always, on SQLite), how far this machine's clock is behind the database's, and what an operator should look at.
/// </summary>
public sealed record HealthResponse(
    string Status, string Store, string Node, bool Leader = true, double ClockOffsetSeconds = 0, IReadOnlyList<string>? Warnings = null);

/// <summary>A problem-details error body.</summary>
public sealed record ProblemDto(string Title, int Status, string? Detail);

/// <summary>Answer to <c>GET /api/v1/overview</c> (and each event of <c>GET /api/v1/events</c>): counts by state, agents, and parts finished per second over the last 10 minutes.</summary>
public sealed record OverviewDto(
    DateTimeOffset At,
    IReadOnlyDictionary<string, long> Streams,
    IReadOnlyDictionary<string, long> Jobs,
    PartTotalsDto Parts,
    int AgentsBusy,
    int AgentsIdle,
    IReadOnlyList<RatePoint> Rate,
    int AgentsLost = 0,
    long StreamsStuck = 0,
    IReadOnlyList<MinutePoint>? History = null);

/// <summary>Parts done and failed in the minute that starts at <c>At</c> (the last one is the minute under way).</summary>
public sealed record MinutePoint(DateTimeOffset At, long Done, long Failed);

/// <summary>All parts by state.</summary>
public sealed record PartTotalsDto(long Ready, long Leased, long Done, long Failed, long Retrying = 0);

/// <summary>Parts finished per second in the 10 seconds before <c>At</c>.</summary>
public sealed record RatePoint(DateTimeOffset At, double PartsPerSecond);

/// <summary>A part that failed for good (<c>GET /api/v1/jobs/{id}/failed</c>).</summary>
public sealed record FailedPartDto(long PartId, string Payload, int Attempt, string? Result, string? Log, string? Host);

/// <summary>A sweep run (<c>GET /api/v1/sweeps</c>), newest first.</summary>
public sealed record SweepSummaryDto(long Id, string Mode, DateTimeOffset StartedAt);
