using System.Text.Json;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary><c>shoal cli</c> (fo_cli's flags over the command port) and the operator subcommands over REST.</summary>
public sealed class OperatorCliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FoCliFlags_AndOperatorCommands_AgainstARunningServer_ThenStop()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-ops-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n[HOSTS]\nlocalhost = localhost AGENT_DIR 3\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "held.conf"), "[default]\ncommand = /bin/true\nmax = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), """{"name":"ops","jobs":[{"name":"a","type":"held"}]}""", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")) && File.Exists(Path.Combine(dir, ".shoal", "command.port")), 30);

        var submitted = await ShoalProcess.RunAsync(dir, "submit", "s.json", "--json");
        var job = JsonDocument.Parse(submitted.Stdout).RootElement.GetProperty("jobs").GetProperty("a").GetInt64();

        var status = await ShoalProcess.RunAsync(dir, "cli", "-S");
        status.Code.ShouldBe(0, status.Stderr);
        status.Stdout.ShouldMatch($"scheduler:{server.Process.Id} revision:\\S+ daemon:0 jobs:1 ");
        status.Stdout.ShouldContain($"job:{job} status:JOB_CHECKEDOUT type:held, priority:0");
        (await ShoalProcess.RunAsync(dir, "cli", "-l")).Stdout.ShouldContain("host:localhost address:localhost max:3 running:0");
        (await ShoalProcess.RunAsync(dir, "cli", "-P", "987")).Stdout.ShouldContain("ERROR: invalid job id = 987");
        (await ShoalProcess.RunAsync(dir, "cli", "-P", $"{job}")).Stdout.Trim().ShouldBe("Command received");
        (await ShoalProcess.RunAsync(dir, "cli", "-R", $"{job}")).Stdout.Trim().ShouldBe("Command received");
        (await ShoalProcess.RunAsync(dir, "cli", "-p", "1")).Code.ShouldBe(255);

        (await ShoalProcess.RunAsync(dir, "reload")).Stdout.ShouldContain("reloaded");
        (await ShoalProcess.RunAsync(dir, "priority", $"{job}", "4")).Stdout.ShouldContain($"job {job}: priority 4");
        (await ShoalProcess.RunAsync(dir, "verbose", "3")).Stdout.ShouldContain("verbose 3");
        (await ShoalProcess.RunAsync(dir, "cli", "-v", "2")).Code.ShouldBe(0);
        (await ShoalProcess.RunAsync(dir, "load")).Stdout.ShouldContain("host:localhost address:localhost max:3 running:0");
        (await ShoalProcess.RunAsync(dir, "kill", $"{job}", "No Longer Needed")).Stdout.ShouldContain($"job {job}: failed");
        (await ShoalProcess.RunAsync(dir, "status", "1")).Stdout.ShouldContain("No Longer Needed");

        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "bad.conf"), "[default]\ncommand = x\nspecial[] = SLOW\n", Ct);
        var broken = await ShoalProcess.RunAsync(dir, "reload");
        broken.Code.ShouldBe(1);
        broken.Stderr.ShouldContain("bad.conf:3: unknown special flag 'SLOW'");

        var none = await ShoalProcess.RunAsync(dir, "schedule", "list");
        none.Stdout.ShouldBeEmpty("no table of nothing");
        none.Stderr.ShouldStartWith("no schedules yet (shoal schedule add NAME");
        var add = await ShoalProcess.RunAsync(dir, "schedule", "add", "nightly", "--cron", "0 2 * * *", "--tz", "Europe/Paris", "--stream", "s.json");
        add.Code.ShouldBe(0, add.Stderr);
        add.Stdout.ShouldContain("schedule nightly: next run ");
        (await ShoalProcess.RunAsync(dir, "schedule", "add", "bad", "--every", "soon", "--stream", "s.json")).Stderr.ShouldContain("'every': 'soon' is not a duration");
        (await ShoalProcess.RunAsync(dir, "schedule", "pause", "nightly")).Stdout.ShouldContain("schedule nightly: pause");
        var list = await ShoalProcess.RunAsync(dir, "schedule", "list");
        list.Stdout.ShouldStartWith("name\twhen\tnext run\tstate\tmisfire\toverlap\tlast run\tstream\n");
        list.Stdout.ShouldContain("nightly\tcron '0 2 * * *' Europe/Paris\t20");
        list.Stdout.ShouldContain("\tpaused\t");
        (await ShoalProcess.RunAsync(dir, "schedule", "remove", "nightly")).Stdout.ShouldContain("schedule nightly: remove");
        (await ShoalProcess.RunAsync(dir, "schedule", "remove", "nightly")).Code.ShouldBe(1);

        var stats = await ShoalProcess.RunAsync(dir, "db", "stats");
        stats.Stdout.ShouldContain("streams\t1");
        stats.Stdout.ShouldContain("database_bytes\t");

        (await ShoalProcess.RunAsync(dir, "stop")).Stdout.ShouldContain("stopping");
        await server.Process.WaitForExitAsync(Ct);
        server.Process.ExitCode.ShouldBe(0);
    }
}
