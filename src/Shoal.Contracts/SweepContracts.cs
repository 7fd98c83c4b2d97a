using System.Text.Json.Nodes;

namespace Shoal.Contracts;

/// <summary>A host of a sweep, whether it is production, and its zone (null: the server's own, visited by the server).</summary>
public sealed record SweepHostDto(string Host, bool Prod, string? Zone = null);

/// <summary>
/// Body of <c>POST /api/v1/sweeps</c>. <c>Mode</c> is <c>sweep</c> (every host, production first, under the
/// sweep lock) or <c>gapfix</c> (production hosts without a success newer than <c>FreshWithinSeconds</c>, no lock).
/// <c>Command</c> is the collector, one word per element, <c>{host}</c> replaced. Null settings take <c>[SWEEP]</c>'s.
/// </summary>
public sealed record SweepRequest(
    string Mode,
    IReadOnlyList<SweepHostDto> Hosts,
    IReadOnlyList<string> Command,
    bool Shell = false,
    int? Threads = null,
    double? HostTimeoutSeconds = null,
    double? TimeLimitSeconds = null,
    double? FreshWithinSeconds = null);

/// <summary>A started sweep (<c>Id</c> is null when no host was left to visit).</summary>
/// <remarks><c>SkippedFresh</c>: hosts a gap-fix left alone because they succeeded within <c>fresh_within</c>.</remarks>
public sealed record SweepStarted(long? Id, long? Job, string Name, int Hosts, int Threads, IReadOnlyList<string> SkippedCheckedIn, int SkippedFresh = 0);

/// <summary>One host's state in a sweep: queued, running, success, failed or not_attempted; and its zone (null: the server's).</summary>
public sealed record SweepHostState(string Host, bool Prod, string Outcome, int? ExitCode, long? DurationMs, string? Error, string? Zone = null);

/// <summary>
/// One zone of a sweep: the collectors that asked for its hosts lately (<c>shoal agent --collector --zone</c>; the server
/// itself for its own zone), its hosts by outcome, and why hosts were not attempted (no live collector) when so.
/// </summary>
public sealed record SweepZoneDto(string Zone, IReadOnlyList<string> Collectors, int Hosts, int Done, int Failed, int Running, int Queued, int NotAttempted, string? Reason);

/// <summary>
/// Answer to <c>GET /api/v1/sweeps/{id}</c>: progress counts (<c>FailedProduction</c>: the failed hosts that are
/// production hosts, while the sweep runs too), and the final JSON (<c>Summary</c>, the exact
/// keys of DESIGN.md "Sweep output" plus Shoal's own) computed from the store.
/// </summary>
public sealed record SweepStatus(
    long Id,
    string State,
    string Mode,
    int Threads,
    int Total,
    int Success,
    int Failed,
    int FailedProduction,
    int Running,
    int Queued,
    JsonObject Summary,
    IReadOnlyList<SweepHostState>? Hosts,
    IReadOnlyList<SweepZoneDto>? Zones = null);

/// <summary>One visit of a host in its history (<c>GET /api/v1/hosts/{name}/results</c>).</summary>
public sealed record HostResultDto(string Host, DateTimeOffset At, string Status, int? ExitCode, long? DurationMs, string? Output, string Source, long? Stream, string? Error = null);
