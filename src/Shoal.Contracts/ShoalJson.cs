using System.Text.Json;

namespace Shoal.Contracts;

/// <summary>The JSON options every Shoal API speaker uses: snake_case names.</summary>
public static class ShoalJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };
}
