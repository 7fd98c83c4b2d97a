using System.Text.Json;

namespace Shoal.Contracts;

/// <summary>The JSON options every Shoal API speaker uses: snake_case names.</summary>
public static class ShoalJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,

        // API answers are read by people (curl) and programs, never embedded in HTML: keep quotes readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
