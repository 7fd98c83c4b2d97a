using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Core.Streams;

/// <summary>
/// A stream, a job or a generator with a field Shoal does not know is refused, naming the field and the nearest known
/// one: a misspelt <c>depend_on</c> would otherwise be dropped without a word and the job run at once.
/// </summary>
internal static class KnownFields
{
    // The records' own fields: one description of the format (Shoal.Contracts), read here and by the JSON Schema test.
    public static readonly IReadOnlyList<string> Stream = RequestJson.FieldsOf<StreamRequest>();
    public static readonly IReadOnlyList<string> Job = RequestJson.FieldsOf<JobRequest>();
    public static readonly IReadOnlyList<string> Generate = RequestJson.FieldsOf<GenerateRequest>();

    /// <summary>Null when a record was read without fields it does not have (<paramref name="unknown"/>); else the refusal.</summary>
    public static string? Problem(Dictionary<string, JsonElement>? unknown, IReadOnlyList<string> known, string what)
    {
        if (unknown is not { Count: > 0 })
        {
            return null;
        }

        var field = unknown.Keys.First();
        var names = known.Where(k => k[0] != '$').ToList();
        var nearest = Spelling.Nearest(field, names);
        var hint = nearest is not null ? $"did you mean '{nearest}'?" : $"the fields of {what}: {string.Join(", ", names)}";
        return $"'{Shown(field)}' is not a field of {what} ({hint})";
    }


    /// <summary>A field name as an error shows it: control characters escaped, at most 64 characters.</summary>
    private static string Shown(string name)
    {
        var text = string.Concat(name.Take(64).Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
        return name.Length > 64 ? text + "…" : text;
    }
}
