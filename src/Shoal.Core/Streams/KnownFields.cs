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
        var nearest = Nearest(field, names);
        var hint = nearest is not null ? $"did you mean '{nearest}'?" : $"the fields of {what}: {string.Join(", ", names)}";
        return $"'{Shown(field)}' is not a field of {what} ({hint})";
    }

    /// <summary>The one of <paramref name="candidates"/> a misspelt <paramref name="text"/> most likely meant (a prefix either way, or a few letters off), or null.</summary>
    public static string? Nearest(string text, IEnumerable<string> candidates)
    {
        var name = text.ToLowerInvariant();
        var list = candidates.ToList();
        return list.FirstOrDefault(k => name.Length >= 3 && (k.StartsWith(name, StringComparison.Ordinal) || name.StartsWith(k, StringComparison.Ordinal)))
            ?? list.Where(k => Distance(k, name) <= Math.Max(2, k.Length / 3)).MinBy(k => Distance(k, name));
    }

    /// <summary>A field name as an error shows it: control characters escaped, at most 64 characters.</summary>
    private static string Shown(string name)
    {
        var text = string.Concat(name.Take(64).Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
        return name.Length > 64 ? text + "…" : text;
    }

    /// <summary>Levenshtein distance (the names are short).</summary>
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
