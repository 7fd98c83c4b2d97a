using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary><c>shoal agent</c>, the generic pull agent, against a real server that is killed and restarted mid-run.</summary>
public sealed class PullAgentProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenericAgent_RunsACommandPerPart_SurvivesAServerRestart_AndStopsOnSigterm()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-pull-").FullName;
        var port = FreePort();
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), $"[SCHEDULER]\nport = {port}\ntick_seconds = 0.2\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "netscan.conf"), "[default]\nkind = pull\nlease = 5\n", Ct);
        var output = Path.Combine(dir, "scanned.txt");
        var url = $"http://127.0.0.1:{port}";

        var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")));
        var token = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "probe", "--tags", "net-a");
        token.Code.ShouldBe(0, token.Stderr);
        await File.WriteAllTextAsync(Path.Combine(dir, "agent.token"), token.Stdout.Trim(), Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), """{"name":"scan","jobs":[{"name":"scan","type":"netscan","requires_tags":["net-a"],"generate":{"range":"10.9.0.0/27"}}]}""", Ct);
        (await ShoalProcess.RunAsync(dir, "submit", "s.json")).Code.ShouldBe(0);

        await using var agent = ShoalProcess.Start(dir, null,
            "agent", "--server", url, "--token-file", "agent.token", "--types", "netscan", "--concurrency", "4", "--wait", "2",
            "--run", $"sh -c 'sleep 0.1; echo $0 >> {output}' {{payload}}");
        await Poll.UntilAsync(() => File.Exists(output) && File.ReadAllLines(output).Length >= 8, 60);

        server.Process.Kill(); // SIGKILL mid-run; the agent keeps its reports and retries
        await server.Process.WaitForExitAsync(Ct);
        await server.DisposeAsync();
        await using var again = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "admin.token"), Ct)).Trim());
        StreamDto? stream = null;
        await Poll.UntilAsync(async () =>
        {
            try
            {
                stream = await http.GetFromJsonAsync<StreamDto>("/api/v1/streams/1", ShoalJson.Options, Ct);
                return stream!.State == "completed";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, 120);
        stream!.Jobs[0].Parts.Done.ShouldBe(32);
        File.ReadAllLines(output).Distinct().Count().ShouldBe(32, "every address was scanned");

        agent.Signal("TERM");
        await agent.Process.WaitForExitAsync(Ct);
        agent.Process.ExitCode.ShouldBe(0, agent.Stderr);
        agent.Stderr.ShouldContain("shoal agent: stopped;");
    }

    [Fact]
    public async Task OnSigtermWithTheServerGone_TheAgentSaysSo_GivesUpItsReportAfterTheStopGrace_AndExitsOne()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-pull-").FullName;
        var port = FreePort();
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), $"[SCHEDULER]\nport = {port}\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "netscan.conf"), "[default]\nkind = pull\nlease = 60\n", Ct);
        var started = Path.Combine(dir, "started");
        var url = $"http://127.0.0.1:{port}";
        var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")));
        var token = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "probe");
        await File.WriteAllTextAsync(Path.Combine(dir, "agent.token"), token.Stdout.Trim(), Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), """{"name":"one","jobs":[{"name":"scan","type":"netscan","parts":["x"]}]}""", Ct);
        (await ShoalProcess.RunAsync(dir, "submit", "s.json")).Code.ShouldBe(0);

        await using var agent = ShoalProcess.Start(dir, null,
            "agent", "--server", url, "--token-file", "agent.token", "--types", "netscan", "--wait", "1", "--stop-grace", "2",
            "--run", $"sh -c 'touch {started}; sleep 3'");
        await Poll.UntilAsync(() => File.Exists(started), 30);
        server.Process.Kill();
        await server.Process.WaitForExitAsync(Ct);
        await server.DisposeAsync();

        agent.Signal("TERM");
        var exited = agent.Process.WaitForExitAsync(Ct);
        (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(30), Ct))).ShouldBe(exited, "it must not retry for ever");
        agent.Process.WaitForExit(); // and its output read to the end
        agent.Process.ExitCode.ShouldBe(1, agent.Stderr);
        agent.Stderr.ShouldContain("shoal agent: SIGTERM: no new parts; finishing the running ones and reporting them");
        agent.Stderr.ShouldContain("shoal agent: server unreachable (");
        agent.Stderr.ShouldMatch(@"shoal agent: part \d+: report not delivered \(server unreachable: .+\); the server runs it again when its lease ends");
        agent.Stderr.ShouldContain("shoal agent: stopped; 0 parts done, 0 failed, 1 not reported (the server runs them again)");
    }

    [Fact]
    public async Task WithABadToken_TheAgentSaysSoInOneLine_AndExitsTwo()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-pull-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "netscan.conf"), "[default]\nkind = pull\n", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        var url = (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "server.url"), Ct)).Trim();
        await File.WriteAllTextAsync(Path.Combine(dir, "bad.token"), "not-a-token", Ct);

        var run = await ShoalProcess.RunAsync(dir, "agent", "--server", url, "--token-file", "bad.token", "--types", "netscan", "--run", "true");
        run.Code.ShouldBe(2);
        run.Stderr.ShouldContain("shoal agent: the server refused: 401");
        run.Stderr.ShouldNotContain("   at ", Case.Sensitive, "no stack trace");
    }

    [Fact]
    public async Task AnAgentKilledMidPart_IsLostAfterAgentLostSeconds_AndItsLeasesAreReleasedAtOnce_WhileALiveAgentsLongPartsAreNot()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-pull-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        // Leases of ten minutes: only the agent's silence (3 s) can give its parts back within the test.
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\ntick_seconds = 0.2\nagent_lost_seconds = 3\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "netscan.conf"), "[default]\nkind = pull\nlease = 600\n", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        var url = (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "server.url"), Ct)).Trim();
        var token = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "probe");
        await File.WriteAllTextAsync(Path.Combine(dir, "agent.token"), token.Stdout.Trim(), Ct);
        var other = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "second");
        await File.WriteAllTextAsync(Path.Combine(dir, "second.token"), other.Stdout.Trim(), Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), """{"name":"two","jobs":[{"name":"scan","type":"netscan","parts":["a","b"]}]}""", Ct);
        (await ShoalProcess.RunAsync(dir, "submit", "s.json")).Code.ShouldBe(0);
        var started = Path.Combine(dir, "started");
        var done = Path.Combine(dir, "done");

        var first = ShoalProcess.Start(dir, null, "agent", "--server", url, "--token-file", "agent.token", "--types", "netscan", "--concurrency", "2", "--wait", "1",
            "--run", $"sh -c 'echo $0 >> {started}; sleep 120' {{payload}}");
        await Poll.UntilAsync(() => File.Exists(started) && File.ReadAllLines(started).Length == 2, 60);
        first.Process.Kill(); // -9, mid-part: it never reports, heartbeats or calls again
        await first.Process.WaitForExitAsync(Ct);
        await first.DisposeAsync();

        // The second agent's parts take 6 s, longer than agent_lost_seconds: it heartbeats as the server asks, so they are not taken from it.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var second = ShoalProcess.Start(dir, null, "agent", "--server", url, "--token-file", "second.token", "--types", "netscan", "--concurrency", "2", "--wait", "1",
            "--run", $"sh -c 'sleep 6; echo $0 >> {done}' {{payload}}");
        var admin = (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "admin.token"), Ct)).Trim();
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        await Poll.UntilAsync(async () => (await http.GetFromJsonAsync<StreamDto>("/api/v1/streams/1", ShoalJson.Options, Ct))!.State == "completed", 90);

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(90), "not at the 600 s deadline");
        string.Join(",", File.ReadAllLines(done).Order(StringComparer.Ordinal)).ShouldBe("a,b", "each part run once, by the live agent");
        var agents = await http.GetFromJsonAsync<AgentsResponse>("/api/v1/agents", ShoalJson.Options, Ct);
        agents!.Pull!.Single(a => a.Name == "probe").State.ShouldBe("lost");
        agents.Pull!.Single(a => a.Name == "second").State.ShouldBe("idle");
        await Poll.UntilAsync(() => (server.Stdout + server.Stderr).Contains(":probe lost: no call for 3 s; its leases are released", StringComparison.Ordinal), 10);
        // Logged (in order) when the release happened, 3 s into its 6 s parts, before the reports that completed the stream.
        (server.Stdout + server.Stderr).ShouldNotContain(":second lost", Case.Sensitive, "the live agent heartbeats as often as the server asks");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
