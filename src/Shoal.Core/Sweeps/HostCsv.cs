using System.Text;

namespace Shoal.Core.Sweeps;

/// <summary>One host of an inventory: its name, whether it is production, its CSV line and number, and its zone (null: the server's own).</summary>
public sealed record HostRow(string Host, bool Production, string Line, int LineNumber, string? Zone = null);

/// <summary>A line of the inventory that was skipped, and why.</summary>
public sealed record BadLine(int LineNumber, string Reason);

/// <summary>The parsed inventory: header, good rows (in file order), bad lines.</summary>
public sealed record HostInventory(string Header, IReadOnlyList<HostRow> Hosts, IReadOnlyList<BadLine> BadLines);

/// <summary>
/// Reads an inventory CSV (RFC 4180 quoting) with a header. Lines with the wrong field count, an empty
/// host or a host seen before are reported with their line numbers and skipped; only a missing column is
/// fatal (<see cref="HostCsvException"/>).
/// </summary>
public static class HostCsv
{
    /// <param name="zoneColumn">The column naming each host's zone; an empty field is the server's own zone.</param>
    /// <param name="zoneColumnRequired">False: an inventory without <paramref name="zoneColumn"/> has no zones (the default column name); true: its absence is an error.</param>
    public static HostInventory Parse(
        string text, string hostColumn, string? prodColumn, IReadOnlyCollection<string> prodValues, string? zoneColumn = null, bool zoneColumnRequired = false)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var headerIndex = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerIndex < 0)
        {
            throw new HostCsvException("the file is empty (a header line is required)");
        }

        var header = Fields(lines[headerIndex]) ?? throw new HostCsvException($"line {headerIndex + 1}: malformed header");
        var hostAt = Column(header, hostColumn, headerIndex);
        var prodAt = prodColumn is null ? -1 : Column(header, prodColumn, headerIndex);
        var zoneAt = zoneColumn is null ? -1
            : zoneColumnRequired ? Column(header, zoneColumn, headerIndex)
            : header.FindIndex(h => string.Equals(h.Trim(), zoneColumn, StringComparison.OrdinalIgnoreCase));
        var hosts = new List<HostRow>();
        var bad = new List<BadLine>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = headerIndex + 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var fields = Fields(line);
            if (fields is null)
            {
                bad.Add(new BadLine(i + 1, "unterminated quote"));
            }
            else if (fields.Count != header.Count)
            {
                bad.Add(new BadLine(i + 1, $"{fields.Count} fields, the header has {header.Count}"));
            }
            else if (fields[hostAt].Trim().Length == 0)
            {
                bad.Add(new BadLine(i + 1, $"empty host in column '{hostColumn}'"));
            }
            else if (HostName.Problem(fields[hostAt].Trim()) is { } problem)
            {
                bad.Add(new BadLine(i + 1, $"host '{fields[hostAt].Trim()}' {problem}"));
            }
            else if (!seen.Add(fields[hostAt].Trim()))
            {
                bad.Add(new BadLine(i + 1, $"duplicate host '{fields[hostAt].Trim()}'"));
            }
            else if (zoneAt >= 0 && fields[zoneAt].Trim() is { Length: > 0 } badZone && ZoneName.Problem(badZone) is { } zoneProblem)
            {
                bad.Add(new BadLine(i + 1, $"zone '{badZone}' {zoneProblem}"));
            }
            else
            {
                var prod = prodAt >= 0 && prodValues.Contains(fields[prodAt].Trim(), StringComparer.OrdinalIgnoreCase);
                var zone = zoneAt >= 0 && fields[zoneAt].Trim() is { Length: > 0 } z ? z : null;
                hosts.Add(new HostRow(fields[hostAt].Trim(), prod, line, i + 1, zone));
            }
        }

        return new HostInventory(lines[headerIndex], hosts, bad);
    }

    private static int Column(List<string> header, string name, int headerIndex)
    {
        var at = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        return at >= 0 ? at : throw new HostCsvException($"line {headerIndex + 1}: no column '{name}' in the header ({string.Join(", ", header)})");
    }

    /// <summary>The fields of one CSV line, or null when a quote is not closed.</summary>
    private static List<string>? Fields(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            return null;
        }

        fields.Add(field.ToString());
        return fields;
    }
}

/// <summary>The inventory cannot be used at all (no header, a missing column).</summary>
public sealed class HostCsvException : Exception
{
    public HostCsvException(string message)
        : base(message)
    {
    }

    public HostCsvException()
    {
    }

    public HostCsvException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
