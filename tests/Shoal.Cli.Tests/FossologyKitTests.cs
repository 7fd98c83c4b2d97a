using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// FOSSology's own code, built from the kit in ../shared/fossology-kit (its agent library, the scheduler's test agents,
/// the documentation's minimal agent and fo_cli, unmodified), against <c>shoal fo-scheduler</c> on the folder FOSSology's
/// build lays out for its functional test.
/// </summary>
public sealed class FossologyKitTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _out = Directory.CreateTempSubdirectory("fo-kit-").FullName;

    private string Agents => Path.Combine(_out, "src", "scheduler", "agent_tests", "gen", "agents");

    private string FoCli => Path.Combine(_out, "src", "scheduler", "agent", "fo_cli");

    public async ValueTask InitializeAsync()
    {
        var kit = Path.Combine(ShoalProcess.RepoRoot, "..", "shared", "fossology-kit");
        var psi = new ProcessStartInfo("bash", [Path.Combine(kit, "build.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _out };
        psi.Environment["OUT"] = _out;
        psi.Environment["FO_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var build = Process.Start(psi)!;
        var stderr = build.StandardError.ReadToEndAsync(Ct);
        await build.StandardOutput.ReadToEndAsync(Ct);
        await build.WaitForExitAsync(Ct);
        build.ExitCode.ShouldBe(0, $"the kit must build (.ci/run installs gcc, pkg-config, libglib2.0-dev, libpq-dev): {await stderr}");
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_out, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task FossologysAgents_RunUnchanged_TheMinimalAgentGetsEveryItemOnce_AndFoCliTalksToTheCommandPort()
    {
        var items = Path.Combine(_out, "items.txt");
        await using var server = ShoalProcess.Start(_out, new Dictionary<string, string> { ["FO_ITEMS_OUT"] = items }, "fo-scheduler", "-c", Agents);
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
        status.Output.ShouldMatch($@"^scheduler:\d+ revision:0000 daemon:0 jobs:\d+ log:\S+/shoal\.log port:{Port()} verbose:\d+");
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

    private async Task<(int Code, string Output)> FoCliAsync(string flag)
    {
        using var cli = Process.Start(new ProcessStartInfo(FoCli, ["-c", Agents, flag]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await cli.StandardOutput.ReadToEndAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await cli.WaitForExitAsync(Ct);
        return (cli.ExitCode, output);
    }

    /// <summary>The command port of the folder's fossology.conf.</summary>
    private int Port() => int.Parse(File.ReadAllLines(Path.Combine(Agents, "fossology.conf")).First(l => l.StartsWith("port", StringComparison.Ordinal)).Split('=')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
