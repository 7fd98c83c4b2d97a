using System.Text;
using System.Text.Json;

namespace Shoal.Client;

/// <summary>
/// How a stream's text goes to the server: a JSON document as JSON, and NDJSON — the stream on its first line, then
/// <c>{"job", "parts"}</c> lines (docs/streams.md, "Large streams") — as NDJSON, so that a file written either way is
/// submitted as it is.
/// </summary>
public static class StreamBody
{
    /// <summary>The request body for a stream's text.</summary>
    public static HttpContent Of(string text) =>
        new StringContent(text, Encoding.UTF8, IsNdjson(text) ? "application/x-ndjson" : "application/json");

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
}
