using System.Text.RegularExpressions;
using Shoal.Core.Config;
using Shouldly;

namespace Shoal.Server.Tests.Docs;

/// <summary>Every <c>ini</c> example in README.md and docs/ parses as what it shows: a shoal.conf, or an agent type's conf.</summary>
public sealed partial class IniExamplesTests
{
    public static TheoryData<string, int> Examples()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestServer.RepoRoot, "docs"), "*.md").Append(Path.Combine(TestServer.RepoRoot, "README.md")).Order(StringComparer.Ordinal))
        {
            var i = 0;
            foreach (Match _ in IniBlock().Matches(File.ReadAllText(file)))
            {
                data.Add(Path.GetRelativePath(TestServer.RepoRoot, file), i++);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void ParsesAsShown(string doc, int index)
    {
        var block = IniBlock().Matches(File.ReadAllText(Path.Combine(TestServer.RepoRoot, doc)))[index].Groups[1].Value;
        var dir = Directory.CreateTempSubdirectory("shoal-doc-ini-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        if (block.Contains("[default]", StringComparison.Ordinal))
        {
            var conf = Path.Combine(dir, "agents", "example.conf");
            File.WriteAllText(conf, block);
            Should.NotThrow(() => AgentConfLoader.Load(conf), $"{doc}, ini example {index + 1}");
            return;
        }

        var path = Path.Combine(dir, "shoal.conf");
        File.WriteAllText(path, block);
        var config = Should.NotThrow(() => ConfigLoader.Load(path), $"{doc}, ini example {index + 1}");
        config.ShouldNotBeNull();
    }

    [Fact]
    public void TheDocsHaveIniExamples_AndAnEndOfLineCommentIsNoPartOfAValue()
    {
        Examples().Count.ShouldBeGreaterThanOrEqualTo(6);
        var dir = Directory.CreateTempSubdirectory("shoal-doc-ini-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        var path = Path.Combine(dir, "shoal.conf");
        File.WriteAllText(path, "[SCHEDULER]\nport = 25890 ; 0 = any free port\n[HOSTS]\nlocalhost = localhost AGENT_DIR 4\t; four at once\n");
        var config = ConfigLoader.Load(path);
        config.Scheduler.Port.ShouldBe(25890);
        config.Hosts.Single().Max.ShouldBe(4);
        var conf = Path.Combine(dir, "agents", "scan.conf");
        File.WriteAllText(conf, "[default]\ncommand = /bin/sh -c \"echo a ; echo b\" ; the quoted ';' stays\nmax = 2;3\n");
        Should.Throw<ConfigException>(() => AgentConfLoader.Load(conf)).Message.ShouldEndWith(":3: 'max' must be an integer >= -1, got '2;3'", Case.Sensitive, "a ';' glued to a word is no comment");
        File.WriteAllText(conf, "[default]\ncommand = /bin/sh -c \"echo a ; echo b\" ; the quoted ';' stays\n");
        AgentConfLoader.Load(conf).Command.ShouldBe(["/bin/sh", "-c", "echo a ; echo b"]);
    }

    [GeneratedRegex("```ini\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex IniBlock();
}
