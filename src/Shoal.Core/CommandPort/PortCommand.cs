using System.Globalization;
using System.Text.RegularExpressions;

namespace Shoal.Core.CommandPort;

/// <summary>
/// One command-port line in FOSSology's grammar, <c>cmd [int1] [int2 | "string"]</c>: the first match of
/// <c>(\w+)(\s+(-?\d+))?(\s+((-?\d+)|("(.*)")))?</c>. Case is kept (FOSSology lower-cased everything, messages included).
/// </summary>
public sealed partial record PortCommand(string Name, long? First, long? Second, string? Text, string Line)
{
    /// <summary>The parsed command, or null when the line has no word at all.</summary>
    public static PortCommand? Parse(string line)
    {
        var m = Grammar().Match(line);
        if (!m.Success)
        {
            return null;
        }

        long? Number(Group g) => g.Success && long.TryParse(g.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;
        var bad = new[] { m.Groups[3], m.Groups[6] }.FirstOrDefault(g => g.Success && Number(g) is null);
        return new PortCommand(m.Groups[1].Value, Number(m.Groups[3]), Number(m.Groups[6]), m.Groups[8].Success ? m.Groups[8].Value : null, line)
        {
            BadNumber = bad?.Value,
        };
    }

    /// <summary>A number of the line too large for an id (the command must not run as if it had none).</summary>
    public string? BadNumber { get; init; }

    [GeneratedRegex("""(\w+)(\s+(-?\d+))?(\s+((-?\d+)|("(.*)")))?""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Grammar();
}
