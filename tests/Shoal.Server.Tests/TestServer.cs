using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Shoal.Contracts;
using Shoal.Core.Config;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Server;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Tests;

/// <summary>A real server on 127.0.0.1 (free port) with a temporary state folder and the example bash agent.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebApplication app, HttpClient http, string dir)
    {
        App = app;
        Http = http;
        Dir = dir;
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public string Dir { get; }

    public static string RepoRoot { get; } = FindRoot();

    public static string NoopAgent => Path.Combine(RepoRoot, "examples", "agents", "noop-agent.sh");

    /// <summary>Writes a config folder: shoal.conf with <paramref name="extraScheduler"/> lines, and one conf per agent type.</summary>
    public static string WriteConfig(string dir, IDictionary<string, string> agentConfs, string extraScheduler = "", string hosts = "localhost = localhost AGENT_DIR 8", string extraSections = "")
    {
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        File.WriteAllText(Path.Combine(dir, "shoal.conf"), $"""
            [SCHEDULER]
            address = 127.0.0.1
            port = 0
            command_port = 0
            tick_seconds = 0.2
            shutdown_grace = 10
            {extraScheduler}

            [STORE]
            synchronous = normal

            [HOSTS]
            {hosts}

            {extraSections}
            """);
        foreach (var (name, body) in agentConfs)
        {
            File.WriteAllText(Path.Combine(dir, "agents", name + ".conf"), body);
        }

        return Path.Combine(dir, "shoal.conf");
    }

    public static string NoopConf(int max = 4, string extra = "", string? record = null) => $"""
        [default]
        command = {NoopAgent}{(record is null ? "" : " --record=" + record)}
        max = {max}
        {extra}
        """;

    public static string TestAgent(string name) => Path.Combine(RepoRoot, "tests", "Shoal.Server.Tests", "Agents", name + ".sh");

    public static async Task<TestServer> StartAsync(
        IDictionary<string, string>? agents = null,
        string extraScheduler = "",
        string hosts = "localhost = localhost AGENT_DIR 8",
        string extraSections = "",
        TimeProvider? time = null,
        string? reuseDir = null)
    {
        var dir = reuseDir ?? Directory.CreateTempSubdirectory("shoal-server-test-").FullName;
        var path = WriteConfig(dir, agents ?? new Dictionary<string, string> { ["scan"] = NoopConf() }, extraScheduler, hosts, extraSections);
        var config = ConfigLoader.Load(path);
        var ct = TestContext.Current.CancellationToken;
        var app = await ShoalServer.BuildAsync(config, ct, time, Microsoft.Extensions.Logging.LogLevel.Warning);
        await app.StartAsync(ct);
        var http = new HttpClient { BaseAddress = new Uri(app.Url()) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StateFiles.EnsureAdminToken(config.StateDir));
        return new TestServer(app, http, dir);
    }

    public async Task<SubmitResponse> SubmitAsync(string json)
    {
        var response = await Http.PostAsync("/api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options, TestContext.Current.CancellationToken))!;
    }

    public async Task<StreamDto> StreamAsync(long id) =>
        (await Http.GetFromJsonAsync<StreamDto>($"/api/v1/streams/{id}", ShoalJson.Options, TestContext.Current.CancellationToken))!;

    public IShoalStore Store => (IShoalStore)App.Services.GetRequiredService<IQueueStore>();

    /// <summary>A client with a new agent token (created through the API).</summary>
    public async Task<(HttpClient Client, TokenCreated Token)> AgentClientAsync(string name, params string[] tags)
    {
        var response = await Http.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", name, tags), ShoalJson.Options, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options, TestContext.Current.CancellationToken))!;
        var client = new HttpClient { BaseAddress = Http.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return (client, token);
    }

    public async Task<AgentsResponse> AgentsAsync() =>
        (await Http.GetFromJsonAsync<AgentsResponse>("/api/v1/agents", ShoalJson.Options, TestContext.Current.CancellationToken))!;

    public async Task<HttpResponseMessage> PostAsync(string path) =>
        await Http.PostAsync(path, null, TestContext.Current.CancellationToken);

    /// <summary>Polls until the stream ends or the (generous) deadline passes.</summary>
    public Task<StreamDto> WaitEndAsync(long id, int seconds = 60) =>
        Poll.UntilAsync(() => StreamAsync(id), s => s.State is "completed" or "failed" or "cancelled", seconds);

    /// <summary>Stops the server but keeps its folder (to start it again on the same store).</summary>
    public async Task StopKeepingStateAsync()
    {
        Http.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shoal.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Shoal.slnx)");
    }
}
