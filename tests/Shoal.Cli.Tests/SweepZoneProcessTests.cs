using System.Text.Json;
using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// A sweep over four zones with real processes: the server's own runner, three <c>shoal agent --collector --zone</c>
/// nodes (each its own token), and a zone nobody collects in; one node killed -9 mid-run and restarted.
/// </summary>
public sealed partial class SweepZoneProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeZoneCollectorsAndTheServer_VisitEachHostByItsZone_ProductionFirst_SurviveAKilledCollector_AndNameTheZoneNobodyCollects()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-zones-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\ntick_seconds = 0.2\nagent_lost_seconds = 3\n[SWEEP]\nzone_wait = 10\n", Ct);
        string? ZoneOf(int i) => (i % 10) switch { < 2 => null, < 4 => "a", < 6 => "b", < 9 => "c", _ => "d" };
        var hosts = Enumerable.Range(0, 3000).Select(i => (Host: $"h{i:0000}", Prod: i % 13 == 5, Zone: ZoneOf(i))).ToList();
        await File.WriteAllLinesAsync(Path.Combine(dir, "hosts.csv"), hosts.Select(h => $"{h.Host},{(h.Prod ? "production" : "dev")},{h.Zone}").Prepend("host,environment,zone"), Ct);

        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        var url = (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "server.url"), Ct)).Trim();
        await using var nodes = new ShoalProcesses();
        ShoalProcess Collector(string zone) => ShoalProcess.Start(dir, null,
            "agent", "--server", url, "--token-file", $"{zone}.token", "--zone", zone, "--threads", "4", "--wait", "1",
            "--collector", $"sh -c 'echo $0 >> {dir}/{zone}.txt; sleep 0.005' {{host}}");
        foreach (var zone in new[] { "a", "b", "c" })
        {
            var token = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", $"collector-{zone}", "--tags", $"zone:{zone}");
            token.Code.ShouldBe(0, token.Stderr);
            await File.WriteAllTextAsync(Path.Combine(dir, $"{zone}.token"), token.Stdout.Trim(), Ct);
            nodes[zone] = Collector(zone);
        }

        await using var sweep = ShoalProcess.Start(dir, null, "sweep", "--server", url, "--hosts", "hosts.csv", "--threads", "4",
            "--collector", $"sh -c 'echo $0 >> {dir}/server.txt' {{host}}");

        // Zone b's node dies mid-run (-9): once it is lost (3 s silent) its hosts are back on the queue, and a restarted node finishes them.
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, "b.txt")) && File.ReadAllLines(Path.Combine(dir, "b.txt")).Length >= 100, 60);
        nodes["b"].Process.Kill();
        await nodes["b"].Process.WaitForExitAsync(Ct);
        await nodes["b"].DisposeAsync();
        await Poll.UntilAsync(() => (server.Stdout + server.Stderr).Contains(":collector-b lost: no call for 3 s; its leases are released", StringComparison.Ordinal), 30);
        nodes["b"] = Collector("b");

        await sweep.Process.WaitForExitAsync(Ct);
        sweep.Process.WaitForExit();
        foreach (var node in nodes.Values)
        {
            node.Signal("TERM");
            await node.Process.WaitForExitAsync(Ct);
            await node.DisposeAsync();
        }

        sweep.Process.ExitCode.ShouldBe(1, sweep.Stderr); // hosts not attempted
        var json = JsonDocument.Parse(sweep.Stdout).RootElement;
        var byZone = hosts.ToLookup(h => h.Zone ?? "server");
        json.GetProperty("global_success_hosts").GetInt32().ShouldBe(2700);
        json.GetProperty("global_fail_hosts").GetInt32().ShouldBe(0);
        json.GetProperty("not_attempted_list").EnumerateArray().Select(e => e.GetString()).ShouldBe(byZone["d"].Select(h => h.Host), ignoreOrder: true);
        var zones = json.GetProperty("zones");
        zones.GetProperty("d").GetProperty("reason").GetString().ShouldBe("no live collector in zone d: none asked for its hosts for 10 s");
        foreach (var zone in new[] { "server", "a", "b", "c" })
        {
            var z = zones.GetProperty(zone);
            z.GetProperty("done").GetInt32().ShouldBe(byZone[zone].Count(), zone);
            z.GetProperty("not_attempted").GetInt32().ShouldBe(0, zone);

            // Each host by its own zone's collector; production first (no other host started before every production host had).
            var lines = File.ReadAllLines(Path.Combine(dir, zone + ".txt"));
            lines.Distinct().ShouldBe(byZone[zone].Select(h => h.Host), ignoreOrder: true, zone);
            var prod = byZone[zone].Where(h => h.Prod).Select(h => h.Host).ToHashSet();
            lines.Select((h, i) => (h, i)).Where(x => prod.Contains(x.h)).Max(x => x.i).ShouldBeLessThan(prod.Count + 4, $"{zone}: production first");
            // Only the hosts the killed node was running when it died may have been visited twice.
            (lines.Length - lines.Distinct().Count()).ShouldBeLessThanOrEqualTo(zone == "b" ? 4 : 0, zone);
        }

        zones.GetProperty("a").GetProperty("collectors").EnumerateArray().Select(e => e.GetString()).ShouldBe(["collector-a"]);
        sweep.Stderr.ShouldContain("zone d: 300 hosts not attempted: no live collector in zone d: none asked for its hosts for 10 s");
    }
}
