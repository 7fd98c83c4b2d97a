using System.Text.Json;

namespace Shoal.Core.Streams;

/// <summary>
/// What every door that reads JSON says about a body that is not JSON: where (line and column, counted from 1) and
/// what, in the parser's first sentence — without .NET's advice to its own programmers ("Change the reader options")
/// or its zero-based position suffix.
/// </summary>
public static class MalformedJson
{
    public static string Describe(JsonException ex)
    {
        var text = ex.Message;
        const string duplicate = "Duplicate property '";
        if (text.StartsWith(duplicate, StringComparison.Ordinal) && text.IndexOf('\'', duplicate.Length) is var end and > 0)
        {
            // Which of the two a reader keeps differs from reader to reader: neither is guessed.
            return $"'{text[duplicate.Length..end]}' is given twice in one object";
        }

        foreach (var cut in new[] { " Path: ", " LineNumber: ", " | " })
        {
            var at = text.IndexOf(cut, StringComparison.Ordinal);
            if (at >= 0)
            {
                text = text[..at];
            }
        }

        text = text.Replace(" Change the reader options.", "", StringComparison.Ordinal)
            .Replace(" which is not supported in this mode", "", StringComparison.Ordinal)
            .Replace(" Expected the input to start with a valid JSON token, when isFinalBlock is true.", "", StringComparison.Ordinal)
            .Trim();

        // Several JSON documents, one a line: NDJSON, which a stream may be, sent under the wrong Content-Type.
        if (text.Contains("is invalid after a single JSON value", StringComparison.Ordinal))
        {
            text += " (several JSON lines? a stream sent as NDJSON needs Content-Type: application/x-ndjson)";
        }
        return ex.LineNumber is { } line && ex.BytePositionInLine is { } column
            ? $"malformed JSON at line {line + 1}, column {column + 1}: {text}"
            : $"malformed JSON: {text}";
    }
}
