using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Server;
using Shoal.Server.Hosting;

namespace Shoal.Bench;

/// <summary>No-op parts through a real server with spawned agents speaking the line protocol.</summary>
internal static class SpawnedBench
{
    /// <param name="ssh">ssh options reaching a host (bench/ssh-host.sh prints them); empty runs the agents locally.</param>
    public static async Task<int> RunAsync(int parts, int agents, int chunk, string agentKind, string ssh)
    {
        var root = FindRoot();
        var dir = Directory.CreateTempSubdirectory("shoal-bench-spawned-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        var command = agentKind == "csharp"
            ? $"dotnet {Path.Combine(root, "examples", "csharp-agent", "bin", "Release", "net10.0", "shoal-example-agent.dll")}"
            : Path.Combine(root, "examples", "agents", "noop-agent.sh");
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), $"[SCHEDULER]\nport = 0\n[STORE]\nsynchronous = normal\n[HOSTS]\nlocalhost = localhost AGENT_DIR {agents}\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "noop.conf"), $"[default]\ncommand = {command}\nmax = {agents}\nchunk = {chunk}\n");
        var config = ConfigLoader.Load(Path.Combine(dir, "shoal.conf"));
        var app = await ShoalServer.BuildAsync(config, CancellationToken.None, minLevel: Microsoft.Extensions.Logging.LogLevel.Warning);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Url()), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StateFiles.EnsureAdminToken(config.StateDir));
        var json = $$"""{"name":"bench","jobs":[{"name":"noop","type":"noop","parts":[{{string.Join(",", Enumerable.Range(0, parts).Select(i => $"\"{i}\""))}}]}]}""";

        var watch = Stopwatch.StartNew();
        var response = await http.PostAsync("/api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options))!.Id;
        StreamDto stream;
        do
        {
            await Task.Delay(50);
            stream = (await http.GetFromJsonAsync<StreamDto>($"/api/v1/streams/{id}", ShoalJson.Options))!;
        }
        while (stream.State is "queued" or "running");
        watch.Stop();

        var startup = (await http.GetFromJsonAsync<AgentsResponse>("/api/v1/agents", ShoalJson.Options))!;
        Console.WriteLine($"spawned {agentKind} agents{(ssh.Length == 0 ? "" : " over ssh")}: {agents} agents, chunk {chunk}, {parts} parts, SQLite synchronous=FULL");
        Console.WriteLine($"  agent start-up (spawn to first OK): {startup.StartupMs:0.0} ms mean over {startup.Started} agents (incl. self-test)");
        Console.WriteLine($"  end to end (submit over REST to stream completed): {watch.Elapsed.TotalSeconds:0.00} s -> {parts / watch.Elapsed.TotalSeconds:0} parts/s");
        Console.WriteLine($"  stream {stream.State}, done {stream.Jobs[0].Parts.Done}, peak working set of the server process {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");
        await app.StopAsync();
        await app.DisposeAsync();
        return stream.State == "completed" ? 0 : 1;
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Shoal.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("run from the Shoal checkout");
    }
}
