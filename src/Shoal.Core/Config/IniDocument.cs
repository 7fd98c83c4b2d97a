namespace Shoal.Core.Config;

/// <summary>One <c>key = value</c> line of an INI file, with where it stands.</summary>
public sealed record IniEntry(string Section, string Key, string Value, int Line);

/// <summary>
/// A parsed INI file in fossology.conf's dialect: <c>[SECTION]</c> headers, <c>key = value</c>
/// lines, <c>;</c> and <c>#</c> comment lines and end-of-line <c>; comments</c>, <c>key[] = value</c> for repeated keys.
/// </summary>
public sealed partial class IniDocument
{
    private IniDocument(string file, IReadOnlyList<IniEntry> entries, IReadOnlyList<(string Name, int Line)> sections)
    {
        File = file;
        Entries = entries;
        Sections = sections;
    }

    public string File { get; }

    public IReadOnlyList<IniEntry> Entries { get; }

    public IReadOnlyList<(string Name, int Line)> Sections { get; }

    public IEnumerable<IniEntry> In(string section) =>
        Entries.Where(e => string.Equals(e.Section, section, StringComparison.OrdinalIgnoreCase));

    public ConfigException Error(IniEntry entry, string reason) => new(File, entry.Line, reason);

    private static readonly char[] ControlCharacters = [.. Enumerable.Range(0, 32).Where(c => c != '\t').Select(c => (char)c), '\u007f'];

    public static IniDocument Parse(string file, string text)
    {
        var entries = new List<IniEntry>();
        var sections = new List<(string, int)>();
        string? section = null;
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            // A NUL or another control character (a tab aside) is no part of a setting: it would reach a path or a
            // command. Said here, with the line, rather than as a .NET exception later.
            if (line.IndexOfAny(ControlCharacters) is var bad and >= 0)
            {
                throw new ConfigException(file, lineNo, $"control character U+{(int)line[bad]:X4} at column {raw.IndexOf(line[bad], StringComparison.Ordinal) + 1}");
            }

            if (line[0] == '[')
            {
                line = StripComment(line).TrimEnd();
                if (line[^1] != ']' || line.Length < 3)
                {
                    throw new ConfigException(file, lineNo, $"malformed section header '{line}'");
                }

                section = line[1..^1].Trim();
                sections.Add((section, lineNo));
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ConfigException(file, lineNo, $"expected 'key = value', got '{line}'");
            }

            if (section is null)
            {
                throw new ConfigException(file, lineNo, "a key outside any [SECTION]");
            }

            var key = line[..eq].Trim();
            var value = Unquote(StripComment(line[(eq + 1)..]).Trim());
            entries.Add(new IniEntry(section, key, value, lineNo));
        }

        return new IniDocument(file, entries, sections);
    }

    /// <summary>
    /// fossology.conf's <c>$NAME</c> expansion: <c>$NAME</c> in a value is the value of <c>NAME</c> set earlier in the
    /// same section (<c>LOGDIR = $PREFIX/log</c>), as FOSSology's configuration library expands it. A name not set
    /// earlier in the section is an error with its line, not an empty string.
    /// </summary>
    public IniDocument ExpandVariables()
    {
        var expanded = new List<IniEntry>(Entries.Count);
        var seen = new Dictionary<(string Section, string Key), string>();
        foreach (var e in Entries)
        {
            var value = VariablePattern().Replace(e.Value, m =>
                seen.TryGetValue((e.Section.ToUpperInvariant(), m.Groups[1].Value), out var v)
                    ? v
                    : throw new ConfigException(File, e.Line, $"'${m.Groups[1].Value}' is not set earlier in [{e.Section}]"));
            expanded.Add(e with { Value = value });
            seen[(e.Section.ToUpperInvariant(), e.Key)] = value;
        }

        return new IniDocument(File, expanded, Sections);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\$(\w+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex VariablePattern();

    /// <summary>
    /// An end-of-line comment: a <c>;</c> at the start of the value or after a space or tab, outside quotes, starts one
    /// (<c>max = 4 ; per host</c>). A <c>;</c> inside quotes or glued to a word (<c>sh -c "a; b"</c>, <c>a;b</c>) is kept.
    /// </summary>
    private static string StripComment(string value)
    {
        char? quote = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quote is { } q)
            {
                quote = c == q ? null : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == ';' && (i == 0 || value[i - 1] is ' ' or '\t'))
            {
                return value[..i];
            }
        }

        return value;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}
