using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>A sweep never harms another: the lock is looked at before anything starts, a live server is used rather than joined, and a relative collector is found where the user stands.</summary>
public sealed class SweepSafetyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASecondEmbeddedSweep_RefusedByTheLock_TouchesNoHostOfTheFirst()
    {
        var dir = Workspace();
        await WriteCsvAsync(dir, 16);
        var first = ShoalProcess.Start(dir, null, "sweep", "--hosts", "hosts.csv", "--collector", "./collect.sh {host} 1", "--threads", "4");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "sweep.lock")) && File.Exists(Path.Combine(dir, "started.txt")), 60);

        var second = await ShoalProcess.RunAsync(dir, "sweep", "--hosts", "hosts.csv", "--collector", "./collect.sh {host} 1", "--threads", "16");
        second.Code.ShouldBe(4, second.Stderr);
        second.Stderr.ShouldMatch(@"another sweep is running: the sweep lock \S+ is held by pid \d+");

        await first.Process.WaitForExitAsync(Ct);
        first.Process.WaitForExit();
        first.Process.ExitCode.ShouldBe(0, first.Stderr + first.Stdout);
        var json = JsonDocument.Parse(first.Stdout).RootElement;
        json.GetProperty("global_success_hosts").GetInt32().ShouldBe(16);
        json.GetProperty("global_fail_hosts").GetInt32().ShouldBe(0, "the refused sweep started and killed none of its collectors");
        (await File.ReadAllLinesAsync(Path.Combine(dir, "started.txt"), Ct)).Length.ShouldBe(16, "each host visited once");
        File.Exists(Path.Combine(dir, ".shoal", "command.port")).ShouldBeFalse("shoal sweep's own server opens no command port");
        await first.DisposeAsync();
    }

    [Fact]
    public async Task WithAServerRunningHere_ASweepWithoutServer_UsesIt_AndNoSecondServerJoinsItsDatabase()
    {
        var dir = Workspace();
        await WriteCsvAsync(dir, 3);
        var (server, url) = await StartServerAsync(dir);
        await using var _ = server;

        var empty = await ShoalProcess.RunAsync(dir, "status");
        empty.Code.ShouldBe(0);
        empty.Stderr.ShouldContain("no streams yet (shoal submit FILE.json adds one)", Case.Sensitive, "an empty status says so");
        var nosuch = await ShoalProcess.RunAsync(dir, "results", "nosuch");
        nosuch.Code.ShouldBe(1, "a host nothing has reached (a misspelt name) is not a success");
        nosuch.Stderr.ShouldContain("no results for host 'nosuch'");

        var run = await ShoalProcess.RunAsync(dir, "sweep", "--hosts", "hosts.csv", "--collector", "./collect.sh {host}");
        run.Code.ShouldBe(0, run.Stderr);
        run.Stderr.ShouldContain($"shoal sweep: using the server running here ({url})");
        (await ShoalProcess.RunAsync(dir, "results", "h00")).Code.ShouldBe(0, "a host the sweep reached");
        using var admin = new HttpClient { BaseAddress = new Uri(url) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "admin.token"), Ct)).Trim());
        (await admin.GetFromJsonAsync<List<ServerDto>>("/api/v1/servers", ShoalJson.Options, Ct))!.ShouldHaveSingleItem("no second server recorded itself");
        (await admin.GetFromJsonAsync<List<StreamSummaryDto>>("/api/v1/streams", ShoalJson.Options, Ct))!.ShouldContain(s => s.Name.StartsWith("sweep-", StringComparison.Ordinal), "the live server ran it");
    }

    [Fact]
    public async Task ARelativeCollector_IsFoundWhereTheUserStands_EvenWithServer_AndAMissingOneIsRefusedAtOnce()
    {
        var dir = Workspace();
        await WriteCsvAsync(dir, 3);
        var serverDir = Directory.CreateTempSubdirectory("shoal-elsewhere-").FullName;
        var (server, url) = await StartServerAsync(serverDir);
        await using var _ = server;
        var token = Path.Combine(serverDir, ".shoal", "admin.token");

        var run = await ShoalProcess.RunAsync(dir, "sweep", "--server", url, "--token-file", token, "--hosts", "hosts.csv", "--collector", "./collect.sh {host}");
        run.Code.ShouldBe(0, run.Stderr);
        JsonDocument.Parse(run.Stdout).RootElement.GetProperty("global_success_hosts").GetInt32().ShouldBe(3, "the server ran the script of the user's folder");

        var missing = await ShoalProcess.RunAsync(dir, "sweep", "--server", url, "--token-file", token, "--hosts", "hosts.csv", "--collector", "./nope.sh {host}");
        missing.Code.ShouldBe(2);
        missing.Stderr.ShouldContain($"--collector: ./nope.sh not found (looked at {Path.Combine(dir, "nope.sh")})");
    }

    [Fact]
    public async Task AHostToken_ChecksInAsItsHostOnly_AndAGapFixSaysWhatItSkipped()
    {
        var dir = Workspace();
        await WriteCsvAsync(dir, 3);
        var (server, url) = await StartServerAsync(dir);
        await using var _ = server;

        var created = await ShoalProcess.RunAsync(dir, "token", "create", "--host", "h00");
        created.Code.ShouldBe(0, created.Stderr);
        created.Stderr.ShouldContain("(agent 'h00', tags host:h00)");
        (await ShoalProcess.RunAsync(dir, "token", "create", "--host", "-rf")).Stderr.ShouldContain("--host: '-rf' is not a host name");
        using var host = new HttpClient { BaseAddress = new Uri(url) };
        host.DefaultRequestHeaders.Authorization = new("Bearer", created.Stdout.Trim());
        (await host.PostAsync("/api/v1/hosts/h00/checkin", JsonContent.Create(new { packages = 3 }), Ct)).IsSuccessStatusCode.ShouldBeTrue();
        (await host.PostAsync("/api/v1/hosts/h01/checkin", JsonContent.Create(new { packages = 3 }), Ct)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden, "not its host");

        // h01 (production) succeeds in a sweep; a gap-fix then has nothing to do, and says why.
        (await ShoalProcess.RunAsync(dir, "sweep", "--hosts", "hosts.csv", "--collector", "./collect.sh {host}")).Code.ShouldBe(0);
        var gapfix = await ShoalProcess.RunAsync(dir, "gap-fix", "--hosts", "hosts.csv", "--collector", "./collect.sh {host}");
        gapfix.Code.ShouldBe(0, gapfix.Stderr);
        gapfix.Stderr.ShouldMatch(@"gapfix-\S+: 0 hosts to visit, \d+ at once, 1 skipped \(checked in\), 1 skipped \(a success within 24 h\); nothing to do");
    }

    /// <summary>A <c>shoal server</c> keeping its state in <paramref name="dir"/>, and its URL once it listens.</summary>
    private static async Task<(ShoalProcess Server, string Url)> StartServerAsync(string dir)
    {
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        return (server, (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "server.url"), Ct)).Trim());
    }

    private static string Workspace()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-sweep-safety-").FullName;
        var script = Path.Combine(dir, "collect.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"$1\" >> \"$(dirname \"$0\")/started.txt\"\n[ -n \"$2\" ] && sleep \"$2\"\necho \"inventory of $1\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    private static Task WriteCsvAsync(string dir, int hosts) =>
        File.WriteAllLinesAsync(Path.Combine(dir, "hosts.csv"), Enumerable.Range(0, hosts).Select(i => $"h{i:00},{(i < 2 ? "production" : "dev")}").Prepend("host,environment"), Ct);
}
