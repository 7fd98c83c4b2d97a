using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Shoal.Server.Api;

/// <summary>Reads a JSON object body within the size limit; every refusal names what is wrong.</summary>
internal static class JsonBody
{
    public static async Task<(JsonElement Root, IResult? Error)> ReadObjectAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var text = await BodyReader.ReadAsync(request, limit, ct).ConfigureAwait(false);
        if (text is null)
        {
            return (default, Problems.TooLarge(limit));
        }

        try
        {
            using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text, new JsonDocumentOptions { MaxDepth = 32 });
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? (doc.RootElement.Clone(), null)
                : (default, Problems.BadRequest("the body must be a JSON object"));
        }
        catch (JsonException ex)
        {
            return (default, Problems.BadRequest(Shoal.Core.Streams.MalformedJson.Describe(ex)));
        }
    }

    /// <summary>Reads a body bound to its Shoal.Contracts record (<see cref="Shoal.Core.Streams.RequestJson"/>): a 413 past the limit, a 400 naming the field.</summary>
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

    public static bool TryLong(JsonElement obj, string field, out long value, out IResult? error)
    {
        value = 0;
        error = null;
        if (obj.TryGetProperty(field, out var el) && el.ValueKind == JsonValueKind.Number && el.TryGetInt64(out value))
        {
            return true;
        }

        error = Problems.BadRequest($"'{field}' is required and must be an integer");
        return false;
    }
}
