using Shoal.Core.Config;
using Shoal.Core.Model;
using Shouldly;

namespace Shoal.Core.Tests.Config;

public sealed class ConfigLoaderTests
{
    private static string Dir() => Directory.CreateTempSubdirectory("shoal-conf-").FullName;

    [Fact]
    public void Load_FullConfig_ReadsEverySection_AndResolvesPathsAgainstTheFile()
    {
        var dir = Dir();
        Directory.CreateDirectory(Path.Combine(dir, "agents", "nomos"));
        File.WriteAllText(Path.Combine(dir, "shoal.conf"), """
            ; comment
            [SCHEDULER]
            address = 127.0.0.1
            port = 8080
            aging_seconds = 30
            [STORE]
            sqlite = db/q.db
            [HOSTS]
            localhost = localhost AGENT_DIR 6
            far = 10.0.0.9 /etc/shoal 2
            [DIRECTORIES]
            state = st
            [EMAILNOTIFY]
            subject = later
            """);
        File.WriteAllText(Path.Combine(dir, "agents", "nomos", "nomos.conf"), "[default]\ncommand = ./nomos --x \"a b\"\nmax = -1\nspecial[] = EXCLUSIVE\nspecial[] = NOEMAIL\n");
        File.WriteAllText(Path.Combine(dir, "agents", "netscan.conf"), "[default]\nkind = pull\nlease = 60\n");
        var config = ConfigLoader.Load(Path.Combine(dir, "shoal.conf"));
        config.Scheduler.Port.ShouldBe(8080);
        config.Scheduler.AgingStep.ShouldBe(TimeSpan.FromSeconds(30));
        config.Store.SqlitePath.ShouldBe(Path.Combine(dir, "db", "q.db"));
        config.StateDir.ShouldBe(Path.Combine(dir, "st"));
        config.Hosts.Select(h => (h.Name, h.Max)).ShouldBe([("localhost", 6), ("far", 2)]);
        config.Hosts[0].ConfDir.ShouldBe(Path.Combine(dir, "agents"));
        var nomos = config.AgentTypes["nomos"];
        nomos.Command.ShouldBe(["./nomos", "--x", "a b"]);
        nomos.ResolvedProgram.ShouldBe(Path.Combine(dir, "agents", "nomos", "nomos"));
        nomos.Special.ShouldBe(AgentSpecial.Exclusive | AgentSpecial.NoEmail);
        nomos.OnPartFailure.ShouldBe(OnPartFailure.FailJob);
        var netscan = config.AgentTypes["netscan"];
        netscan.Kind.ShouldBe(AgentKind.Pull);
        netscan.OnPartFailure.ShouldBe(OnPartFailure.Continue, "pull types carry on by default");
        netscan.Lease.ShouldBe(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("[default]\ncommand = x\nmaxx = 3\n", "a.conf:3: unknown key 'maxx' in [default]")]
    [InlineData("[default]\ncommand = x\nspecial[] = FAST\n", "a.conf:3: unknown special flag 'FAST'")]
    [InlineData("[default]\ncommand = 'x\n", "a.conf:2: unterminated ' quote")]
    [InlineData("[default]\nmax = 2\n", "a.conf:1: a spawned agent type needs a 'command'")]
    [InlineData("[default]\ncommand = x\nmax = -2\n", "a.conf:3: 'max' must be an integer >= -1, got '-2'")]
    [InlineData("[default]\ncommand = x\non_part_failure = maybe\n", "a.conf:3: 'on_part_failure' must be one of fail-job, continue, got 'maybe'")]
    [InlineData("[other]\ncommand = x\n", "a.conf:1: unknown section [other]")]
    [InlineData("[default]\ncommand = x\nlease = soon\n", "a.conf:3: 'lease' must be a positive number of seconds (at most 315576000), got 'soon'")]
    public void AgentConf_Errors_NameFileAndLine(string text, string expected)
    {
        var dir = Dir();
        File.WriteAllText(Path.Combine(dir, "a.conf"), text);
        var ex = Should.Throw<ConfigException>(() => AgentConfLoader.Load(Path.Combine(dir, "a.conf")));
        ex.Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("[STORE]\npostgres =\n", "shoal.conf:2: postgres needs a connection string")]
    [InlineData("[HOSTS]\nh = localhost /x 2\nh = localhost /y 3\n", "shoal.conf:3: host 'h' is defined twice")]
    [InlineData("[SCHEDULER]\nport = 70000\n", "shoal.conf:2: 'port' must be a port number (0-65535), got '70000'")]
    [InlineData("[SCHEDULER\n", "shoal.conf:1: malformed section header '[SCHEDULER'")]
    [InlineData("[DIRECTORIES]\nhome = x\n", "shoal.conf:2: unknown key 'home' in [DIRECTORIES]")]
    [InlineData("[STORE]\nsqlite = a\0b.db\n", "shoal.conf:2: control character U+0000 at column 11")] // was a .NET ArgumentException (found by the fuzz property)
    [InlineData("[DIRECTORIES]\n\nstate = x\u001by\n", "shoal.conf:3: control character U+001B at column 10")]
    public void ShoalConf_Errors_NameFileAndLine(string text, string expected)
    {
        var dir = Dir();
        File.WriteAllText(Path.Combine(dir, "shoal.conf"), text);
        Should.Throw<ConfigException>(() => ConfigLoader.Load(Path.Combine(dir, "shoal.conf"))).Message.ShouldContain(expected);
    }

    [Fact]
    public void NoHosts_DefaultsToLocalhost()
    {
        var dir = Dir();
        File.WriteAllText(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\n");
        var host = ConfigLoader.Load(Path.Combine(dir, "shoal.conf")).Hosts.Single();
        host.IsLocal.ShouldBeTrue();
        host.Max.ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData("a b c", new[] { "a", "b", "c" })]
    [InlineData("run \"two words\" 'single quoted' back\\ slash", new[] { "run", "two words", "single quoted", "back slash" })]
    [InlineData("  spaced   out  ", new[] { "spaced", "out" })]
    [InlineData("x \"\" y", new[] { "x", "", "y" })]
    public void CommandLineSplitter_SplitsLikeAShell(string command, string[] expected)
    {
        CommandLineSplitter.Split(command, out var error).ShouldBe(expected);
        error.ShouldBeNull();
    }
}
