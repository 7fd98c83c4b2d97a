namespace Shoal.Core;

/// <summary>What a misspelt name most likely meant: a field of a stream, an agent type, a command of the CLI.</summary>
public static class Spelling
{
    /// <summary>The one of <paramref name="candidates"/> a misspelt <paramref name="text"/> most likely meant (a prefix either way, or a few letters off), or null.</summary>
    public static string? Nearest(string text, IEnumerable<string> candidates)
    {
        var name = text.ToLowerInvariant();
        var list = candidates.ToList();
        return list.FirstOrDefault(k => name.Length >= 3 && (k.StartsWith(name, StringComparison.Ordinal) || name.StartsWith(k, StringComparison.Ordinal)))
            ?? list.Where(k => Distance(k, name) <= Math.Max(2, k.Length / 3)).MinBy(k => Distance(k, name));
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
