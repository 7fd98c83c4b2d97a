using System.Text.Json;

namespace Shoal.Contracts;

/// <summary>Body of <c>POST /api/v1/lease</c>. <c>Zone</c>: a sweep collector's zone (with type <c>sweep</c>; the token must carry <c>zone:ZONE</c>).</summary>
public sealed record LeaseRequestDto(IReadOnlyList<string> Types, int Max = 1, double WaitSeconds = 0, string? Zone = null);

/// <summary>
/// One leased part. <c>Payload</c> is the part as submitted: a string, or an object. <c>HeartbeatSeconds</c>: heartbeat
/// at least this often while the part runs (an agent silent for four times as long is lost, and its leases are
/// released); 0 when the server does not say. <c>Traceparent</c>: when the server traces, the W3C trace context of
/// this part's lease-to-report trace — run the part under it (<c>shoal agent</c> sets <c>TRACEPARENT</c> for its
/// command) and send it back with the report.
/// </summary>
public sealed record LeasedPartDto(
    long PartId, long LeaseId, DateTimeOffset Deadline, int Attempt, JsonElement Payload, long JobId, string Type, double HeartbeatSeconds = 0,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Traceparent = null);

/// <summary>Answer to <c>POST /api/v1/lease</c>; an empty list when the wait ran out.</summary>
public sealed record LeaseResponse(IReadOnlyList<LeasedPartDto> Parts);

/// <summary>Body of <c>POST /api/v1/parts/{id}/heartbeat</c>.</summary>
public sealed record HeartbeatRequest(long LeaseId);

/// <summary>
/// Whether the lease was extended, the job's state, whether the agent should stop (job paused, cancelled or
/// ended), and the verbosity set for the job's agents (<c>verbose &lt;job&gt; &lt;level&gt;</c>).
/// </summary>
public sealed record HeartbeatResponse(bool Extended, DateTimeOffset? Deadline, string State, bool Stop, int Verbose = 0);

/// <summary>
/// Body of <c>POST /api/v1/parts/{id}/complete</c>. <c>Result</c> may be any JSON; <c>{"items": [...]}</c> feeds generated
/// jobs; <c>Traceparent</c> is the lease's, sent back so that the report joins the part's trace.
/// </summary>
public sealed record CompleteRequest(
    long LeaseId, string Status, JsonElement? Result = null, string? Log = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Traceparent = null);

/// <summary>What the server made of a report.</summary>
public sealed record CompleteResponse(bool Accepted, bool Late, bool Duplicate, string? Reason = null);

/// <summary>One entry of <c>POST /api/v1/reports</c>: <see cref="CompleteRequest"/> with its part.</summary>
public sealed record PartReportDto(
    long PartId, long LeaseId, string Status, JsonElement? Result = null, string? Log = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Traceparent = null);

/// <summary>Body of <c>POST /api/v1/reports</c>.</summary>
public sealed record ReportsRequest(IReadOnlyList<PartReportDto> Reports);

/// <summary>What the server made of one report of <c>POST /api/v1/reports</c>.</summary>
public sealed record ReportResult(long PartId, CompleteResponse Outcome);

/// <summary>Answer to <c>POST /api/v1/reports</c>, in the request's order.</summary>
public sealed record ReportsResponse(IReadOnlyList<ReportResult> Results);

/// <summary>Body of <c>POST /api/v1/tokens</c>: role <c>agent</c> or <c>admin</c>.</summary>
public sealed record TokenCreateRequest(string Role, string Name, IReadOnlyList<string>? Tags = null);

/// <summary>A new token: the secret is shown this once.</summary>
public sealed record TokenCreated(long Id, string Token, string Role, string Name, IReadOnlyList<string> Tags);

/// <summary>A token as listed (never the secret).</summary>
public sealed record TokenDto(long Id, string Role, string Name, IReadOnlyList<string> Tags, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
