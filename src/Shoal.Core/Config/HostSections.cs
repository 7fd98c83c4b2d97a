using System.Globalization;

namespace Shoal.Core.Config;

/// <summary>Reads <c>[SSH]</c> and <c>[AFFINITY]</c>.</summary>
internal static class HostSections
{
    public static SshOptions ReadSsh(IniDocument doc)
    {
        var ssh = new SshOptions();
        foreach (var e in doc.In("SSH"))
        {
            ssh = e.Key switch
            {
                "program" => ssh with { Program = e.Value },
                "user" => ssh with { User = e.Value },
                "options" => ssh with { Options = Words(doc, e) },
                _ => throw doc.UnknownKey(e),
            };
        }

        return ssh;
    }

    /// <param name="fossology">
    /// Read FOSSology's <c>[REPOSITORY]</c> instead (the same format): its first word names a kind of repository
    /// (<c>files</c>, <c>gold</c>, <c>*</c>), not agent types, so a rule holds for every type; a repository host that runs
    /// no agents (not in <c>[HOSTS]</c>) is left out.
    /// </param>
    public static List<AffinityRule> ReadAffinity(IniDocument doc, IReadOnlyList<HostConfig> hosts, bool fossology = false)
    {
        var rules = new List<AffinityRule>();
        foreach (var e in doc.In(fossology ? "REPOSITORY" : "AFFINITY"))
        {
            var host = e.Key.EndsWith("[]", StringComparison.Ordinal) ? e.Key[..^2] : e.Key;
            if (fossology && !hosts.Any(h => h.Name == host))
            {
                continue;
            }

            if (!hosts.Any(h => h.Name == host))
            {
                throw doc.Error(e, $"unknown host '{host}' (not in [HOSTS])");
            }

            var words = e.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 3 || !Hex(words[1], out var from) || !Hex(words[2], out var to) || from > to)
            {
                throw doc.Error(e, $"expected '{host}[] = TYPES FROM TO' with hex bytes FROM <= TO (e.g. '* 00 7f'), got '{e.Value}'");
            }

            var types = words[0] == "*" || fossology ? null : words[0].Split(',', StringSplitOptions.RemoveEmptyEntries);
            rules.Add(new AffinityRule(host, types, from, to));
        }

        return rules;
    }

    private static bool Hex(string s, out int value) =>
        int.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value) && s.Length == 2;

    private static IReadOnlyList<string> Words(IniDocument doc, IniEntry e)
    {
        var words = CommandLineSplitter.Split(e.Value, out var error);
        return error is null ? words : throw doc.Error(e, error);
    }
}
