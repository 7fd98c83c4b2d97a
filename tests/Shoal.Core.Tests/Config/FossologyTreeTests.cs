using Shoal.Core.Config;
using Shouldly;

namespace Shoal.Core.Tests.Config;

/// <summary>A FOSSology configuration folder read as fo_scheduler reads it, from the kit's own fossology.conf.</summary>
public sealed class FossologyTreeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fo-tree-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheKitsFossologyConf_AndModsEnabled_BecomeShoalsConfiguration()
    {
        // As the kit's build.sh lays out FOSSology's functional test folder.
        var conf = File.ReadAllText(Path.Combine(Kit(), "src", "scheduler", "agent_tests", "agents", "fossology.conf.in"))
            .Replace("@FO_CURRENTGROUP@", "fossy", StringComparison.Ordinal).Replace("@FO_CURRENTUSER@", "fossy", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_dir, "fossology.conf"), conf);
        File.WriteAllText(Path.Combine(_dir, "VERSION"), "[BUILD]\nVERSION=test\nCOMMIT_HASH=0000\n");
        Agent("simple", "[default]\ncommand=simple\nmax=-1\nspecial[]=\n");
        // A conf as FOSSology ships them: name= (ignored), options after the command, a special.
        Agent("nomos", "; nomos\n[default]\nname = nomos\ncommand = nomos -J\nmax = 2\nspecial[] = EXCLUSIVE\n");
        Directory.CreateDirectory(Path.Combine(_dir, "mods-enabled", "no-conf-here"));

        var config = FossologyTree.Load(_dir, Path.Combine(_dir, "state"));

        config.Scheduler.CommandPort.ShouldBe(12354);
        config.Scheduler.CommandPortTrustLoopback.ShouldBeTrue("loopback clients need no token, as with fo_scheduler");
        config.Scheduler.Revision.ShouldBe("0000");
        config.Scheduler.Fossology.ShouldBeTrue();
        config.Hosts.ShouldHaveSingleItem().ShouldBe(new HostConfig("localhost", "localhost", _dir, 10));
        config.AgentTypes.Keys.Order(StringComparer.Ordinal).ShouldBe(["nomos", "simple"]);
        var simple = config.AgentTypes["simple"];
        simple.Command.ShouldBe([Path.Combine(_dir, "mods-enabled", "simple", "agent", "simple")]);
        simple.Directory.ShouldBe(Path.Combine(_dir, "mods-enabled", "simple", "agent"));
        simple.ConfigDir.ShouldBe(_dir, "agents find fossology.conf and their VERSION through --config");
        simple.Max.ShouldBe(-1);
        simple.HeartbeatTimeout.ShouldBe(TimeSpan.FromSeconds(10), "[SCHEDULER] agent_death_timer");
        simple.ProgressTimeout.ShouldBe(TimeSpan.FromSeconds(30), "agent_update_interval 15 s, agent_update_number 1");
        var nomos = config.AgentTypes["nomos"];
        nomos.Command.ShouldBe([Path.Combine(_dir, "mods-enabled", "nomos", "agent", "nomos"), "-J"]);
        nomos.Max.ShouldBe(2);
        nomos.Special.ShouldBe(AgentSpecial.Exclusive);
        config.Affinity.ShouldBe([new AffinityRule("localhost", null, 0x00, 0xff)], "[REPOSITORY] localhost[] = * 00 ff");
    }

    [Fact]
    public void Repository_IsAffinityForEveryType_AndEmailNotify_IsReadAsFoSchedulerReadsIt()
    {
        File.WriteAllText(Path.Combine(_dir, "fossology.conf"), """
            [FOSSOLOGY]
            port = 24693
            [HOSTS]
            localhost = localhost AGENT_DIR 10
            scan2 = scan2.example.org /opt/fossology 4
            [REPOSITORY]
            localhost[] = files 00 7f
            scan2[] = gold 80 ff
            repo-only[] = * 00 ff
            [EMAILNOTIFY]
            header = templates/header.txt
            footer = templates/footer.txt
            subject = FOSSology scan complete
            client = /usr/bin/mailx -s
            templates = ignored by fo_scheduler
            """);

        var config = FossologyTree.Load(_dir, Path.Combine(_dir, "state"));

        config.Affinity.ShouldBe([new AffinityRule("localhost", null, 0x00, 0x7f), new AffinityRule("scan2", null, 0x80, 0xff)],
            "a repository kind is not an agent type; a repository host that runs no agents is left out");
        config.Notify.Header.ShouldBe(Path.Combine(_dir, "templates", "header.txt"));
        config.Notify.Footer.ShouldBe(Path.Combine(_dir, "templates", "footer.txt"));
        config.Notify.Subject.ShouldBe("FOSSology scan complete");
        config.Notify.Client.ShouldBe(["/usr/bin/mailx", "-s"]);
    }

    [Fact]
    public void DollarVariables_AreExpandedFromTheSameSection_AndTheLogIsFossologyLogInLogdir()
    {
        var logs = Path.Combine(_dir, "var", "log");
        File.WriteAllText(Path.Combine(_dir, "fossology.conf"), $"[FOSSOLOGY]\nport = 24693\n[DIRECTORIES]\nPREFIX = {_dir}/var\nLOGDIR = $PREFIX/log\n");

        var config = FossologyTree.Load(_dir, Path.Combine(_dir, "state"));

        config.LogDir.ShouldBe(logs);
        config.MainLog.ShouldBe(Path.Combine(logs, "fossology.log"), "fo_scheduler's log: LOGDIR/fossology.log");
        config.Scheduler.SelfTestRetry.ShouldBeGreaterThan(TimeSpan.FromDays(365), "a type that failed its start-up test waits for a reload, as in FOSSology");
    }

    [Fact]
    public void ADollarVariableNotSetEarlierInItsSection_IsAnErrorWithItsLine()
    {
        File.WriteAllText(Path.Combine(_dir, "fossology.conf"), "[FOSSOLOGY]\nport = 24693\n[DIRECTORIES]\nLOGDIR = $PREFIX/log\nPREFIX = /usr\n");

        var ex = Should.Throw<ConfigException>(() => FossologyTree.Load(_dir, Path.Combine(_dir, "state")));

        ex.Message.ShouldBe($"{Path.Combine(_dir, "fossology.conf")}:4: '$PREFIX' is not set earlier in [DIRECTORIES]");
    }

    [Fact]
    public void AFolderWithoutFossologyConf_SaysWhatIsMissing()
    {
        var ex = Should.Throw<ConfigException>(() => FossologyTree.Load(_dir, Path.Combine(_dir, "state")));
        ex.Message.ShouldContain("fossology.conf");
        ex.Message.ShouldContain("FO_SYSCONFDIR");
    }

    private void Agent(string name, string conf)
    {
        var folder = Path.Combine(_dir, "mods-enabled", name);
        Directory.CreateDirectory(Path.Combine(folder, "agent"));
        File.WriteAllText(Path.Combine(folder, name + ".conf"), conf);
    }

    /// <summary>The FOSSology kit in ../shared beside the repository (CI puts it there).</summary>
    private static string Kit()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var kit = Path.Combine(dir.FullName, "shared", "fossology-kit");
            if (Directory.Exists(kit))
            {
                return kit;
            }
        }

        throw new DirectoryNotFoundException("the FOSSology kit is not in ../shared/fossology-kit beside the repository");
    }
}
