using Microsoft.AspNetCore.Http;

namespace Shoal.Server.Api;

/// <summary>Reads a request body within the size limit, bound to its Shoal.Contracts record; every refusal names what is wrong.</summary>
internal static class JsonBody
{
    /// <summary>The record (<see cref="Shoal.Core.Streams.RequestJson"/>: strict), or a 413 past the limit, or a 400 naming the field.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, long limit, CancellationToken ct)
        where T : class
    {
        var text = await BodyReader.ReadAsync(request, limit, ct).ConfigureAwait(false);
        if (text is null)
        {
            return (null, Problems.TooLarge(limit));
        }

        var value = Shoal.Core.Streams.RequestJson.Read<T>(text.Length == 0 ? "{}" : text, "the body", out var error);
        return value is null ? (null, Problems.BadRequest(error!)) : (value, null);
    }
}
