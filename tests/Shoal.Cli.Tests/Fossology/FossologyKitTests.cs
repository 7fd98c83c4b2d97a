using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Shoal.Cli.Tests.Fossology;

/// <summary>
/// FOSSology's own code, built from the kit in ../shared/fossology-kit (its agent library, the scheduler's test agents,
/// the documentation's minimal agent and fo_cli, unmodified), against <c>shoal fo-scheduler</c> on the folder FOSSology's
/// build lays out for its functional test.
/// </summary>
public sealed class FossologyKitTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private FossologyKit _kit = null!;

    private string Out => _kit.Root;

    private string Agents => _kit.Agents;

    public async ValueTask InitializeAsync() => _kit = await FossologyKit.BuildAsync(Ct);

    public ValueTask DisposeAsync()
    {
        _kit.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task FossologysAgents_RunUnchanged_TheMinimalAgentGetsEveryItemOnce_AndFoCliTalksToTheCommandPort()
    {
        var items = Path.Combine(Out, "items.txt");
        await using var server = ShoalProcess.Start(Out, new Dictionary<string, string> { ["FO_ITEMS_OUT"] = items }, "fo-scheduler", "-c", Agents);
        var urlFile = Path.Combine(Agents, "shoal", "server.url");
        await Poll.UntilAsync(() => File.Exists(urlFile) || server.Process.HasExited, 30);
        server.Process.HasExited.ShouldBeFalse(server.Stderr);

        // fo_cli, as FOSSology's functional suites run it: no token (loopback), no newline, its own exit codes.
        // The command port may open a moment after server.url is written: fo_cli then exits 255, and is asked again.
        // The self-tests give FOSSology's verdicts once they have run: before_connect (output before VERSION) and
        // db_connect (no Db.conf in this folder) become invalid; the well-behaved agents stay valid.
        var agents = await Poll.UntilAsync(() => FoCliAsync("-a"), r => r.Code == 0 && r.Output.Contains("simple", StringComparison.Ordinal) && !r.Output.Contains("before_connect", StringComparison.Ordinal) && !r.Output.Contains("db_connect", StringComparison.Ordinal), 30);
        agents.Code.ShouldBe(0);
        agents.Output.Trim().Split(' ').ShouldContain("simple");
        agents.Output.Trim().Split(' ').ShouldContain("minimal_agent");
        agents.Output.ShouldNotContain("before_connect");
        agents.Output.ShouldNotContain("db_connect");
        var status = await FoCliAsync("-S");
        status.Code.ShouldBe(0);
        status.Output.ShouldMatch($@"^scheduler:\d+ revision:0000 daemon:0 jobs:\d+ log:\S+/shoal/logs/shoal\.log port:{Port()} verbose:\d+");
        (await FoCliAsync("-l")).Output.ShouldContain("host:localhost address:localhost max:10");

        using var http = new HttpClient { BaseAddress = new Uri(File.ReadAllText(urlFile).Trim()) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(Agents, "shoal", "admin.token")).Trim());
        using var submit = await http.PostAsJsonAsync("/api/v1/streams", new { name = "upload", jobs = new[] { new { name = "m", type = "minimal_agent", parts = new[] { "one", "two", "three", "four" } } } }, Ct);
        submit.EnsureSuccessStatusCode();
        var id = (await submit.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        await Poll.UntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"/api/v1/streams/{id}", Ct)).GetProperty("state").GetString() == "completed", 60);

        // minimal_agent writes "<pid> <item>" for each item it gets: every item exactly once.
        File.ReadAllLines(items).Select(l => l.Split(' ', 2)[1]).Order(StringComparer.Ordinal).ShouldBe(["four", "one", "three", "two"]);

        (await FoCliAsync("-s")).Code.ShouldBe(0, "stop");
        await server.Process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        server.Process.ExitCode.ShouldBe(0, server.Stderr);
    }

    [Fact]
    public async Task FoSchedulersOwnOptions_TestThenExit_Daemon_Kill_AndOneSchedulerPerFolder()
    {
        // The slow test agents (they sleep for a minute with NOKILL, or until the watchdog) are left out here.
        foreach (var slow in new[] { "no_update", "wait_special", "no_check", "minimal_agent" })
        {
            Directory.Delete(Path.Combine(Agents, "mods-enabled", slow), recursive: true);
        }

        // -t: every type's start-up test, then the scheduler stops by itself (exit 0), its verdicts in its log.
        var log = Path.Combine(Out, "test.log");
        var test = await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents, "-t", $"--log={log}").WaitAsync(TimeSpan.FromSeconds(60), Ct);
        test.Code.ShouldBe(0, test.Stderr);
        var text = await File.ReadAllTextAsync(log, Ct);
        text.ShouldContain("agent type simple passed its self-test on localhost");
        text.ShouldContain("agent type quick_death failed its self-test on localhost");
        text.ShouldContain("before_connect");

        // -d: returns once the detached scheduler's command port answers; status says daemon:1 and the file log.
        var daemon = await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents, "-d", "--verbose=952", $"-L{log}").WaitAsync(TimeSpan.FromSeconds(60), Ct);
        daemon.Code.ShouldBe(0, daemon.Stderr);
        var status = await FoCliAsync("-S");
        status.Code.ShouldBe(0);
        status.Output.ShouldMatch($@"^scheduler:\d+ revision:0000 daemon:1 jobs:\d+ log:{System.Text.RegularExpressions.Regex.Escape(log)} port:{Port()} verbose:952\n");

        // One scheduler per folder: the command port is the lock, as with fo_scheduler.
        var second = await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        second.Code.ShouldBe(1);
        second.Stderr.ShouldContain($"command port {Port()}");
        second.Stderr.ShouldContain("already running");
        var url = await File.ReadAllTextAsync(Path.Combine(Agents, "shoal", "server.url"), Ct);
        // …whatever port it is given: the state folder is the lock, taken before anything of it is written.
        var other = await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents, "-p", "1").WaitAsync(TimeSpan.FromSeconds(60), Ct);
        other.Code.ShouldBe(1);
        other.Stderr.ShouldContain("already running");
        (await File.ReadAllTextAsync(Path.Combine(Agents, "shoal", "server.url"), Ct)).ShouldBe(url, "the running scheduler's address is left alone");
        (await FoCliAsync("-S")).Output.ShouldContain("daemon:1", customMessage: "the first scheduler still answers");

        // A reload (fo_cli -r, SIGHUP) keeps what the command line said: daemon:1 and the log file.
        (await FoCliAsync("-r")).Code.ShouldBe(0);
        (await FoCliAsync("-S")).Output.ShouldMatch($@"daemon:1 jobs:\d+ log:{System.Text.RegularExpressions.Regex.Escape(log)} ", "a reload runs the self-tests again: they count as jobs");

        // -k: the folder's scheduler dies; -k returns once its port is free. With none left, -k says so (255).
        var kill = await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents, "-k").WaitAsync(TimeSpan.FromSeconds(90), Ct);
        kill.Code.ShouldBe(0, kill.Stderr);
        (await FoCliAsync("-S")).Code.ShouldBe(255, "fo_cli cannot connect: the scheduler is gone");
        var none = await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents, "--kill").WaitAsync(TimeSpan.FromSeconds(60), Ct);
        none.Code.ShouldBe(255);
        none.Stderr.ShouldContain("no scheduler answers");

        // Started on another port: -k finds it through the port it wrote into its state folder.
        var elsewhere = await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents, "-d", "-p", "0").WaitAsync(TimeSpan.FromSeconds(60), Ct);
        elsewhere.Code.ShouldBe(2, "a port number 1-65535");
        var alt = FossologyKit.FreePort();
        (await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents, "-d", "-p", alt.ToString(System.Globalization.CultureInfo.InvariantCulture)).WaitAsync(TimeSpan.FromSeconds(60), Ct)).Code.ShouldBe(0);
        (await ShoalProcess.RunAsync(Out, "fo-scheduler", "-c", Agents, "-k").WaitAsync(TimeSpan.FromSeconds(90), Ct)).Code.ShouldBe(0);
        using var probe = new System.Net.Sockets.TcpClient();
        await Should.ThrowAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync("127.0.0.1", alt, Ct).AsTask());
    }

    private Task<(int Code, string Output)> FoCliAsync(string flag) => _kit.FoCliAsync(flag, Ct);

    /// <summary>The command port of the folder's fossology.conf.</summary>
    private int Port() => _kit.Port;
}
