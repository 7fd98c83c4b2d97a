using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shoal.Contracts;

/// <summary>
/// A job stream as <c>POST /api/v1/streams</c> takes it (docs/streams.md; the JSON Schema at <c>/schema/stream.json</c>):
/// a name, jobs, and optionally an owner and a priority. Build one with Shoal.Client's <c>StreamBuilder</c>.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record StreamRequest(
    string Name,
    IReadOnlyList<JobRequest> Jobs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Owner = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Priority = 0)
{
    /// <summary>The JSON Schema an editor checks the file against (<c>"$schema"</c>); the server ignores it.</summary>
    [JsonPropertyName("$schema")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Schema { get; init; }

    /// <summary>Fields the format does not have, as read (the server refuses them, naming the nearest field).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; init; }
}

/// <summary>
/// One job of a stream: its parts are strings (one line each) or JSON objects, or a generator makes them; it waits for
/// <c>DependsOn</c>; only agents whose token carries every one of <c>RequiresTags</c> lease its parts; it fails when it
/// runs longer than <c>Timeout</c> seconds; <c>WaitForLock = "sweep"</c> holds it while a sweep runs.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record JobRequest(
    string Name,
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JsonElement>? Parts = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GenerateRequest? Generate = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? DependsOn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? RequiresTags = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Timeout = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WaitForLock = null)
{
    /// <summary>Fields a job does not have, as read (the server refuses them, naming the nearest field).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; init; }
}

/// <summary>
/// What makes a job's parts, exactly one of: <c>From</c> (one part per item a job of the stream reports), <c>Range</c>
/// (a CIDR or <c>first-last</c> address range, <c>Chunk</c> addresses a part) or <c>File</c> (a host list on the
/// server, one part per line, <c>Chunk</c> lines a part).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed record GenerateRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? From = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Range = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? File = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Chunk = null)
{
    /// <summary>Fields a generator does not have, as read (the server refuses them, naming the nearest field).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; init; }
}

/// <summary>
/// A line after the first of a stream sent as NDJSON (<c>Content-Type: application/x-ndjson</c>): more parts for one
/// job of the stream on the first line. A stream too large for one request body is sent so, a line at a time.
/// </summary>
public sealed record StreamPartsLine(string Job, IReadOnlyList<JsonElement> Parts);
