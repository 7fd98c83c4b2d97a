using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shoal.Client;

/// <summary>
/// How a stream's JSON goes to the server: as it is, or — past <see cref="PlainLimit"/> bytes, which a server's default
/// <c>max_body_bytes</c> (1 MiB) may refuse — as NDJSON: the stream without its jobs' parts on the first line, then
/// <c>{"job", "parts"}</c> lines of <see cref="PartsPerLine"/> parts (docs/streams.md, "Large streams").
/// </summary>
public static class StreamBody
{
    /// <summary>The largest stream sent as one JSON document (bytes of UTF-8).</summary>
    public const int PlainLimit = 512 * 1024;

    /// <summary>Parts per NDJSON line.</summary>
    public const int PartsPerLine = 1000;

    /// <summary>The request body for a stream's JSON: itself, or its NDJSON lines when it is large; text already NDJSON goes as it is.</summary>
    public static HttpContent Of(string json)
    {
        if (IsNdjson(json))
        {
            return new StringContent(json, Encoding.UTF8, "application/x-ndjson");
        }

        if (Encoding.UTF8.GetByteCount(json) <= PlainLimit || Lines(json) is not { } lines)
        {
            return new StringContent(json, Encoding.UTF8, "application/json");
        }

        return new StringContent(lines, Encoding.UTF8, "application/x-ndjson");
    }

    /// <summary>Whether <paramref name="text"/> is NDJSON: a first line that is a JSON object by itself, and more lines after it.</summary>
    public static bool IsNdjson(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        if (end < 0 || text.AsSpan(end + 1).IsWhiteSpace())
        {
            return false;
        }

        try
        {
            using var first = JsonDocument.Parse(text.AsMemory(0, end));
            return first.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The stream as NDJSON lines, or null when it is not a stream this can split (the server then says what is wrong).</summary>
    public static string? Lines(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }

        if (root is not JsonObject { } stream || stream["jobs"] is not JsonArray jobs)
        {
            return null;
        }

        var moved = new List<(string Job, JsonArray Parts)>();
        foreach (var job in jobs.OfType<JsonObject>())
        {
            if (job["name"] is JsonValue name && name.TryGetValue<string>(out var jobName) && !job.ContainsKey("generate")
                && job["parts"] is JsonArray { Count: > 0 } parts)
            {
                job.Remove("parts");
                moved.Add((jobName, parts));
            }
        }

        var text = new StringBuilder(json.Length + 1024);
        text.Append(stream.ToJsonString()).Append('\n');
        foreach (var (job, parts) in moved)
        {
            for (var at = 0; at < parts.Count; at += PartsPerLine)
            {
                var chunk = new JsonArray([.. parts.Skip(at).Take(PartsPerLine).Select(p => p?.DeepClone())]);
                text.Append(new JsonObject { ["job"] = job, ["parts"] = chunk }.ToJsonString()).Append('\n');
            }
        }

        return text.ToString();
    }
}
