using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Shoal.Server.Api;

/// <summary>
/// Reads a body of newline-delimited JSON a line at a time, never more than one line in memory: a line longer than
/// <c>lineLimit</c> or a body longer than <c>totalLimit</c> is a 413 that says which limit, and the first line a
/// consumer refuses ends the read with its 400.
/// </summary>
internal static class NdjsonBody
{
    public const string MediaType = "application/x-ndjson";

    /// <summary>Whether the request says its body is NDJSON (<c>application/x-ndjson</c>, or <c>application/jsonl</c>).</summary>
    public static bool IsNdjson(HttpRequest request) =>
        request.ContentType is { } type && (type.StartsWith(MediaType, StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/jsonl", StringComparison.OrdinalIgnoreCase));

    public static async Task<IResult?> ReadAsync(HttpRequest request, long lineLimit, long totalLimit, Func<string, string?> take, CancellationToken ct)
    {
        if (request.ContentLength > totalLimit)
        {
            return TooLarge(totalLimit);
        }

        var reader = request.BodyReader;
        long total = 0;
        var number = 0;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TooLarge(totalLimit);
            }

            var buffer = read.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                total += line.Length + 1;
                number++;
                // Decided before AdvanceTo: the sequence's memory goes back to the pool then, and its length with it.
                if (line.Length > lineLimit || total > totalLimit)
                {
                    var refusal = line.Length > lineLimit ? LineTooLong(number, lineLimit) : TooLarge(totalLimit);
                    reader.AdvanceTo(buffer.End);
                    return refusal;
                }

                if (take(Encoding.UTF8.GetString(line)) is { } refused)
                {
                    reader.AdvanceTo(buffer.End);
                    return Problems.BadRequest(refused);
                }

                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }

            if (buffer.Length > lineLimit || total + buffer.Length > totalLimit)
            {
                var refusal = buffer.Length > lineLimit ? LineTooLong(number + 1, lineLimit) : TooLarge(totalLimit);
                reader.AdvanceTo(buffer.End);
                return refusal;
            }

            if (read.IsCompleted)
            {
                var last = buffer.Length > 0 ? take(Encoding.UTF8.GetString(buffer)) : null;
                reader.AdvanceTo(buffer.End);
                return last is null ? null : Problems.BadRequest(last);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static IResult TooLarge(long totalLimit) =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, "payload too large", $"the stream is larger than the limit of {totalLimit} bytes ([SCHEDULER] max_stream_bytes)");

    private static IResult LineTooLong(int line, long lineLimit) =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, "payload too large", $"line {line} is longer than the limit of {lineLimit} bytes a line ([SCHEDULER] max_body_bytes): split its parts over more lines");
}
