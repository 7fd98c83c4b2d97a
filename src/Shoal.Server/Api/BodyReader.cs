using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Shoal.Server.Api;

/// <summary>Reads a request body as text, refusing one larger than the limit without buffering it all.</summary>
internal static class BodyReader
{
    /// <summary>How much of an oversized body is read and thrown away so that the client sees the 413 answer.</summary>
    public const long DrainAllowance = 16 * 1024 * 1024;

    /// <summary>Lets this request's body reach <paramref name="limit"/> (Kestrel's own cap is the ordinary body's).</summary>
    public static void AllowUpTo(HttpRequest request, long limit)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + DrainAllowance;
        }
    }

    /// <summary>The body, or null when it exceeds <paramref name="limit"/> bytes (the rest is drained, up to Kestrel's limit).</summary>
    public static async Task<string?> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        var tooLarge = request.ContentLength > limit;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                tooLarge |= buffer.Length + read > limit;
                if (!tooLarge)
                {
                    buffer.Write(chunk, 0, read);
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return tooLarge ? null : Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
