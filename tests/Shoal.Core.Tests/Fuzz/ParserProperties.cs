using System.Text.RegularExpressions;
using FsCheck.Xunit;
using Shoal.Core.CommandPort;
using Shoal.Core.Config;
using Shoal.Core.Protocol;
using Shoal.Core.Streams;
using Shoal.Core.Sweeps;
using Shouldly;

namespace Shoal.Core.Tests.Fuzz;

/// <summary>
/// Every parser of outside input, fed random and mutated input: none throws anything but its own clear
/// error, and every rejection says where and what (<c>file:line: reason</c>, <c>line N: …</c>, a field name).
/// </summary>
public sealed partial class ParserProperties
{
    private const string Conf = """
        ; a full shoal.conf
        [SCHEDULER]
        address = 127.0.0.1
        port = 8080
        aging_seconds = 30
        [STORE]
        sqlite = db/q.db
        synchronous = normal
        [HOSTS]
        localhost = localhost AGENT_DIR 6
        [DIRECTORIES]
        state = st
        [RETENTION]
        days = 7
        [DASHBOARD]
        public = no
        """;

    private const string AgentConf = "[default]\ncommand = ./nomos --x \"a b\"\nmax = -1\nspecial[] = EXCLUSIVE\nkind = spawned\nchunk = 10\nretries = 2\n";

    private const string Stream = """
        {"name":"s","owner":"a@b","priority":3,"jobs":[{"name":"unpack","type":"scan","parts":["a",{"key":"0f","file":"x"}]},
         {"name":"scan","type":"scan","depends_on":["unpack"],"generate":{"from":"unpack"},"timeout_seconds":5,"requires_tags":["t"]},
         {"name":"net","type":"scan","generate":{"range":"10.0.0.0/30","chunk":2}}]}
        """;

    private const string Csv = "host,env,site\r\nweb1,prod,\"Paris, FR\"\nweb2,dev,x\n\"db \"\"1\"\"\",prod,y\n";

    [GeneratedRegex(@"^.+:\d+: \S")]
    private static partial Regex FileLineReason();

    [Property(MaxTest = 300)]
    public void AgentLines_NeverThrow_AndMalformedKeepsTheLine(string? raw, int[]? edits)
    {
        foreach (var line in new[] { raw ?? "", Mutations.Apply("HEART: 12 3", edits), Mutations.Apply("SPECIAL: 4 1", edits), Mutations.Apply("VERSION: 1.0", edits) })
        {
            var m = AgentMessage.Parse(line.Replace("\n", "", StringComparison.Ordinal));
            m.ShouldNotBeNull();
            if (m.Kind == AgentMessageKind.Malformed)
            {
                m.Text.ShouldBe(line.Replace("\n", "", StringComparison.Ordinal));
            }
        }
    }

    [Property(MaxTest = 300)]
    public void CommandPortLines_NeverThrow_AndKeepTheLine(string? raw, int[]? edits)
    {
        foreach (var line in new[] { raw ?? "", Mutations.Apply("priority 12 -3", edits), Mutations.Apply("kill 7 \"stop it\"", edits) })
        {
            var command = PortCommand.Parse(line);
            if (command is not null)
            {
                command.Name.ShouldNotBeEmpty();
                command.Line.ShouldBe(line);
            }
        }
    }

    [Property(MaxTest = 200)]
    public void ShoalConf_LoadsOrSaysFileLineReason(int[]? edits) =>
        LoadsOrSaysFileLineReason("shoal.conf", Mutations.Apply(Conf, edits), path => ConfigLoader.Load(path).ShouldNotBeNull());

    [Property(MaxTest = 200)]
    public void AgentConf_LoadsOrSaysFileLineReason(int[]? edits) =>
        LoadsOrSaysFileLineReason("nomos.conf", Mutations.Apply(AgentConf, edits), path => AgentConfLoader.Load(path).ShouldNotBeNull());

    private static void LoadsOrSaysFileLineReason(string name, string text, Action<string> load)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-fuzz-conf-").FullName;
        try
        {
            var path = Path.Combine(dir, name);
            // Lone surrogates (an edit may split a pair) are written as U+FFFD, as an editor would.
            File.WriteAllText(path, text, new System.Text.UTF8Encoding(false));
            try
            {
                load(path);
            }
            catch (ConfigException ex)
            {
                ex.Message.ShouldMatch(FileLineReason().ToString());
                ex.Message.ShouldStartWith(path + ":");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Property(MaxTest = 300)]
    public void StreamJson_ParsesOrNamesTheFault(string? raw, int[]? edits)
    {
        foreach (var json in new[] { raw ?? "", Mutations.Apply(Stream, edits) })
        {
            var result = StreamSpecParser.Parse(json, ["scan"]);
            (result.Spec is null).ShouldBe(result.Error is not null, "exactly one of a spec and an error");
            if (result.Error is not null)
            {
                result.Error.Trim().ShouldNotBeEmpty();
            }
            else
            {
                result.Spec!.Jobs.ShouldNotBeEmpty();
            }
        }
    }

    [Property(MaxTest = 300)]
    public void InventoryCsv_ParsesOrSaysWhatIsMissing_AndBadLinesAreNumbered(string? raw, int[]? edits)
    {
        foreach (var text in new[] { raw ?? "", Mutations.Apply(Csv, edits) })
        {
            try
            {
                var inventory = HostCsv.Parse(text, "host", "env", ["prod"]);
                var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Length;
                inventory.BadLines.ShouldAllBe(b => b.LineNumber >= 1 && b.LineNumber <= lines && b.Reason.Length > 0);
                inventory.Hosts.ShouldAllBe(h => h.Host.Length > 0 && h.LineNumber >= 1 && h.LineNumber <= lines);
                inventory.Hosts.Select(h => h.Host).ShouldBeUnique();
            }
            catch (HostCsvException ex)
            {
                ex.Message.Trim().ShouldNotBeEmpty();
            }
        }
    }

    [Property(MaxTest = 300)]
    public void IpRanges_ParseOrSayWhy(string? raw, int[]? edits)
    {
        foreach (var text in new[] { raw ?? "", Mutations.Apply("10.2.0.0/16", edits), Mutations.Apply("fe80::1-fe80::ff", edits) })
        {
            if (IpRange.TryParse(text, out var range, out var error))
            {
                range!.PartCount(1).ShouldBeGreaterThan(0);
            }
            else
            {
                error.ShouldNotBeNullOrWhiteSpace();
            }
        }
    }
}
