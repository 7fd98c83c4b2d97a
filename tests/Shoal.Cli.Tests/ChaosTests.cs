using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// Chaos: 10,000 parts through 8 spawned and 8 pull agents while agents are SIGKILLed every few hundred
/// milliseconds, one agent of each kind hangs (SIGSTOP), and the server is SIGKILLed twice and restarted.
/// Every part must end done exactly once in the accounting; executions beyond one per part are counted.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class ChaosTests
{
    private const int PartsPerJob = 5_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KillsHangsAndServerCrashes_LoseNothing_AndCountEachPartDoneOnce()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-chaos-").FullName;
        var records = Directory.CreateDirectory(Path.Combine(dir, "records")).FullName;
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), $"[SCHEDULER]\nport = {port}\ncommand_port = 0\ntick_seconds = 0.2\nkill_grace = 1\n[HOSTS]\nlocalhost = localhost AGENT_DIR 8\n", Ct);
        var noop = Path.Combine(ShoalProcess.RepoRoot, "examples", "agents", "noop-agent.sh");
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "chaos.conf"),
            $"[default]\ncommand = {noop} --delay=0.01 --record={records}/spawned.txt\nmax = 8\nchunk = 20\nretries = 100\nheartbeat_timeout = 3\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "pchaos.conf"), "[default]\nkind = pull\nlease = 3\nretries = 100\nmax = -1\n", Ct);
        var spec = new
        {
            name = "chaos",
            jobs = new object[]
            {
                new { name = "spawned", type = "chaos", parts = Enumerable.Range(0, PartsPerJob).Select(i => $"s{i}").ToArray() },
                new { name = "pulled", type = "pchaos", parts = Enumerable.Range(0, PartsPerJob).Select(i => $"p{i}").ToArray() },
            },
        };

        var server = await StartServerAsync(dir);
        using var admin = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "admin.token"), Ct)).Trim());
        var token = await (await admin.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", "chaos"), ShoalJson.Options, Ct)).Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options, Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agent.token"), token!.Token, Ct);
        var stream = (await (await admin.PostAsJsonAsync("/api/v1/streams", spec, Ct)).Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options, Ct))!.Id;

        ShoalProcess PullAgent() => ShoalProcess.Start(dir, null, "agent", "--server", url, "--token-file", "agent.token", "--types", "pchaos",
            "--concurrency", "4", "--wait", "2", "--run", $"sh -c 'echo $0 $$ >> {records}/pull.txt' {{payload}}");
        var pullAgents = Enumerable.Range(0, 8).Select(_ => PullAgent()).ToList();

        // One pull agent hangs for the whole run: its leases must expire and go to the others.
        var hung = pullAgents[0];
        await Poll.UntilAsync(() => File.Exists(Path.Combine(records, "pull.txt")), 60);
        hung.Signal("STOP");

        var random = new Random(7);
        var (agentKills, spawnedKills, serverKills, spawnedHung) = (0, 0, 0, 0);
        var clock = Stopwatch.StartNew();
        var final = "";
        try
        {
            while (true)
            {
                var done = await DoneAsync(admin, stream);
                if (done.State is "completed" or "failed" or "cancelled")
                {
                    final = done.State;
                    break;
                }

                clock.Elapsed.ShouldBeLessThan(TimeSpan.FromMinutes(4), $"the run did not finish: {done.Done} parts done");
                // The first crash waits until the watchdog has dealt with the hung spawned agent (so that one is its doing).
                var hungGone = spawnedHung != 0 && !File.Exists($"/proc/{spawnedHung}/status");
                if ((serverKills == 0 && done.Done >= 3_000 && hungGone) || (serverKills == 1 && done.Done >= 6_000))
                {
                    // kill -9 the server mid-run and start it again on the same state and port.
                    server.Process.Kill();
                    await server.Process.WaitForExitAsync(Ct);
                    await server.DisposeAsync();
                    serverKills++;
                    server = await StartServerAsync(dir);
                    continue;
                }

                var spawned = SpawnedAgentPids(records);
                if (spawnedHung == 0 && spawned.Count >= 4)
                {
                    // One spawned agent hangs: the watchdog (heartbeat_timeout 3 s, then SIGKILL after kill_grace) must kill it.
                    // (The newest one: a busy agent of the job, not the type's self-test.)
                    Signal(spawned[^1], "STOP");
                    spawnedHung = spawned[^1];
                }
                else if (random.Next(2) == 0 && spawned.Count > 1)
                {
                    Signal(spawned[random.Next(0, spawned.Count - 1)], "KILL");
                    spawnedKills++;
                    agentKills++;
                }
                else
                {
                    var victim = random.Next(1, pullAgents.Count);
                    pullAgents[victim].Process.Kill();
                    await pullAgents[victim].DisposeAsync();
                    pullAgents[victim] = PullAgent();
                    agentKills++;
                }

                await Task.Delay(random.Next(200, 500), Ct);
            }

        }
        finally
        {
            hung.Signal("CONT");
            foreach (var a in pullAgents)
            {
                await a.DisposeAsync();
            }

            server.Signal("TERM");
            await server.Process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            await server.DisposeAsync();
        }

        final.ShouldBe("completed");
        var accounting = Accounting(Path.Combine(dir, ".shoal", "shoal.db"));
        accounting.PartsDone.ShouldBe(2 * PartsPerJob, "every part is done");
        accounting.CountedDone.ShouldBe(2 * PartsPerJob, "the jobs count each part done once");
        accounting.NotDone.ShouldBe(0);

        var executions = (await File.ReadAllLinesAsync(Path.Combine(records, "spawned.txt"), Ct))
            .Concat(await File.ReadAllLinesAsync(Path.Combine(records, "pull.txt"), Ct))
            .Select(l => l.Split(' ')[0]).Where(p => p.Length > 0).ToList();
        var distinct = executions.Distinct().Count();
        distinct.ShouldBe(2 * PartsPerJob, "every part ran at least once");
        serverKills.ShouldBe(2);
        agentKills.ShouldBeGreaterThan(10);
        spawnedKills.ShouldBeGreaterThan(0, "spawned agents were killed too");
        spawnedHung.ShouldNotBe(0, "a spawned agent was hung, and the watchdog killed it");
        var summary = $"chaos: {2 * PartsPerJob} parts, {agentKills} agent kills ({spawnedKills} spawned), 2 hung agents, {serverKills} server kills, "
            + $"{executions.Count - distinct} duplicate executions, 0 lost, {clock.Elapsed.TotalSeconds:0} s";
        await File.WriteAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "TestResults", "chaos.txt"), summary + "\n", Ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        TestContext.Current.SendDiagnosticMessage(summary);
    }

    private static async Task<ShoalProcess> StartServerAsync(string dir)
    {
        var urlFile = Path.Combine(dir, ".shoal", "server.url");
        if (File.Exists(urlFile))
        {
            File.Delete(urlFile);
        }

        var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(urlFile) || server.Process.HasExited, 60);
        server.Process.HasExited.ShouldBeFalse(server.Stderr);
        return server;
    }

    private static async Task<(string State, int Done)> DoneAsync(HttpClient admin, long stream)
    {
        try
        {
            var s = await admin.GetFromJsonAsync<StreamDto>($"/api/v1/streams/{stream}", ShoalJson.Options, Ct);
            return (s!.State, s.Jobs.Sum(j => j.Parts.Done));
        }
        catch (HttpRequestException)
        {
            return ("unreachable", 0);
        }
    }

    /// <summary>The running spawned agents of this test (their command line names its record folder).</summary>
    private static List<int> SpawnedAgentPids(string records)
    {
        var psi = new ProcessStartInfo("pgrep", ["-f", "--", $"--record={records}/spawned.txt"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var pids = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        p.WaitForExit();
        return pids;
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static (long PartsDone, long CountedDone, long NotDone) Accounting(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM parts WHERE state = 2), (SELECT SUM(n_done) FROM jobs), (SELECT COUNT(*) FROM parts WHERE state <> 2)";
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
