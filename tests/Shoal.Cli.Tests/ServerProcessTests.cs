using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Storage.Sqlite;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>The real <c>shoal server</c> process: crash recovery, SIGTERM, config errors.</summary>
public sealed class ServerProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NoopAgent => Path.Combine(ShoalProcess.RepoRoot, "examples", "agents", "noop-agent.sh");

    [Fact]
    public async Task TheServersConsole_HasNoLinePerHttpRequest()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-quiet-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", TestContext.Current.CancellationToken);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        for (var i = 0; i < 10; i++)
        {
            (await ShoalProcess.RunAsync(dir, "status")).Code.ShouldBe(0);
        }

        server.Stderr.ShouldNotContain("Microsoft.AspNetCore", Case.Sensitive, "ten requests, no request lines");
    }

    [Fact]
    public async Task ATakenPort_StopsTheStartWithOneLine_NoStackTrace()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-taken-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), $"[SCHEDULER]\nport = {port}\ncommand_port = 0\n", Ct);

        var (code, stdout, stderr) = await ShoalProcess.RunAsync(dir, "server", "--config", "shoal.conf");

        code.ShouldBe(1);
        stdout.ShouldBeEmpty();
        stderr.Trim().ShouldBe($"shoal server: cannot start: port {port} on 127.0.0.1 is in use (another server? [SCHEDULER] port = 0 takes any free port)");
    }

    [Fact]
    public async Task Server_KilledWithSigkillMidRun_RestartsAndEveryPartEndsDoneExactlyOnce()
    {
        var dir = WriteConfig(max: 8, chunk: 1);
        var record = Path.Combine(dir, "executions.txt");
        var env = new Dictionary<string, string> { ["SHOAL_AGENT_RECORD"] = record, ["SHOAL_AGENT_DELAY"] = "0.002" };
        var parts = string.Join(",", Enumerable.Range(0, 2000).Select(i => $"\"p{i}\""));
        var stream = $$"""{"name":"crash","jobs":[{"name":"scan","type":"scan","parts":[{{parts}}]}]}""";

        long streamId;
        await using (var first = StartServer(dir, env))
        {
            using var http = await ConnectAsync(dir, first);
            streamId = (await SubmitAsync(http, stream)).Id;
            await WaitAsync(http, streamId, s => s.Jobs[0].Parts.Done >= 300, 120);
            first.Process.Kill(entireProcessTree: false); // SIGKILL, the agents are orphaned
            await first.Process.WaitForExitAsync(Ct);
        }

        var doneBefore = 0;
        await using (var second = StartServer(dir, env))
        {
            using var http = await ConnectAsync(dir, second);
            doneBefore = (await GetAsync(http, streamId)).Jobs[0].Parts.Done;
            doneBefore.ShouldBeLessThan(2000, "the kill came mid-run");
            var end = await WaitAsync(http, streamId, s => s.State != "running" && s.State != "queued", 180);
            end.State.ShouldBe("completed");
            end.Jobs[0].Parts.ShouldBe(new PartCountsDto(0, 0, 2000, 0));
            second.Signal("TERM");
            await second.Process.WaitForExitAsync(Ct);
        }

        await using var store = new SqliteStore(Path.Combine(dir, "state", "shoal.db"));
        var detail = (await store.GetStreamAsync(new StreamId(streamId), Ct))!;
        var stored = await store.GetPartsAsync(detail.Jobs[0].Id, Ct);
        stored.Count.ShouldBe(2000, "no part lost, none doubled");
        stored.ShouldAllBe(p => p.State == PartState.Done);
        stored.Select(p => p.Payload).Distinct().Count().ShouldBe(2000);
        var executed = (await File.ReadAllLinesAsync(record, Ct)).Select(l => l.Split(' ')[0]).ToList();
        executed.Distinct().Count().ShouldBe(2000, "every part ran at least once");
        TestContext.Current.SendDiagnosticMessage($"crash test: {doneBefore} done before the kill, {executed.Count - 2000} duplicate executions");
    }

    [Fact]
    public async Task Server_OnSigterm_FinishesRunningParts_AndExitsZero()
    {
        var dir = WriteConfig(max: 2, chunk: 1);
        var env = new Dictionary<string, string> { ["SHOAL_AGENT_DELAY"] = "1" };
        await using var server = StartServer(dir, env);
        using var http = await ConnectAsync(dir, server);
        var id = (await SubmitAsync(http, """{"name":"slow","jobs":[{"name":"scan","type":"scan","parts":["a","b","c","d","e","f"]}]}""")).Id;
        await WaitAsync(http, id, s => s.Jobs[0].Parts.Leased == 2, 60);
        server.Signal("TERM");
        await server.Process.WaitForExitAsync(Ct);
        server.Process.ExitCode.ShouldBe(0, server.Stderr);

        await using var store = new SqliteStore(Path.Combine(dir, "state", "shoal.db"));
        var job = (await store.GetStreamAsync(new StreamId(id), Ct))!.Jobs[0];
        job.Parts.Leased.ShouldBe(0, "running parts were finished, not abandoned");
        job.Parts.Done.ShouldBeGreaterThanOrEqualTo(2);
        job.Parts.Ready.ShouldBe(6 - job.Parts.Done, "no new parts after SIGTERM beyond the running ones");
    }

    [Theory]
    [InlineData("[SCHEDULER]\naddress = 127.0.0.1\nmaxx = 3\n", "shoal.conf:3: unknown key 'maxx' in [SCHEDULER]")]
    [InlineData("[SCHEDULER]\nport = lots\n", "shoal.conf:2: 'port' must be an integer >= 0, got 'lots'")]
    [InlineData("[NOPE]\n", "shoal.conf:1: unknown section [NOPE]")]
    [InlineData("just text\n", "shoal.conf:1: expected 'key = value', got 'just text'")]
    [InlineData("[HOSTS]\nh1 = localhost /tmp\n", "shoal.conf:2: host 'h1' must be 'name = address confdir max'")]
    public async Task Server_WithMalformedConfig_SaysFileLineReason_AndExits2(string conf, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-badconf-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), conf, Ct);
        var (code, _, stderr) = await ShoalProcess.RunAsync(dir, "server", "--config", "shoal.conf");
        code.ShouldBe(2);
        stderr.ShouldContain(expected);
    }

    [Fact]
    public async Task Server_WithMissingConfig_Exits2()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-noconf-").FullName;
        var (code, _, stderr) = await ShoalProcess.RunAsync(dir, "server", "--config", "missing.conf");
        code.ShouldBe(2);
        stderr.ShouldContain("missing.conf:0: no such file");
    }

    private static string WriteConfig(int max, int chunk)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-proc-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        File.WriteAllText(Path.Combine(dir, "shoal.conf"), """
            [SCHEDULER]
            address = 127.0.0.1
            port = 0
            command_port = 0
            tick_seconds = 0.2
            shutdown_grace = 20
            [DIRECTORIES]
            state = state
            [HOSTS]
            localhost = localhost AGENT_DIR 16
            """);
        File.WriteAllText(Path.Combine(dir, "agents", "scan.conf"), $"[default]\ncommand = {NoopAgent}\nmax = {max}\nchunk = {chunk}\nretries = 5\n");
        return dir;
    }

    private static ShoalProcess StartServer(string dir, Dictionary<string, string> env)
    {
        File.Delete(Path.Combine(dir, "state", "server.url"));
        return ShoalProcess.Start(dir, env, "server", "--config", "shoal.conf");
    }

    private static async Task<HttpClient> ConnectAsync(string dir, ShoalProcess server)
    {
        var urlFile = Path.Combine(dir, "state", "server.url");
        await Poll.UntilAsync(() => File.Exists(urlFile) || server.Process.HasExited, 30);
        server.Process.HasExited.ShouldBeFalse(server.Stderr);

        var http = new HttpClient { BaseAddress = new Uri((await File.ReadAllTextAsync(urlFile, Ct)).Trim()) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(dir, "state", "admin.token"), Ct)).Trim());
        return http;
    }

    private static async Task<SubmitResponse> SubmitAsync(HttpClient http, string json)
    {
        var response = await http.PostAsync("/api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options, Ct))!;
    }

    private static async Task<StreamDto> GetAsync(HttpClient http, long id) =>
        (await http.GetFromJsonAsync<StreamDto>($"/api/v1/streams/{id}", ShoalJson.Options, Ct))!;

    private static async Task<StreamDto> WaitAsync(HttpClient http, long id, Func<StreamDto, bool> until, int seconds)
    {
        var s = await Poll.UntilAsync(() => GetAsync(http, id), until, seconds);
        until(s).ShouldBeTrue($"timed out; last state {s.State}, {s.Jobs[0].Parts}");
        return s;
    }
}
