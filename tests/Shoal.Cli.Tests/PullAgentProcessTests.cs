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

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
