using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using Shoal.Agent;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Server;
using Shoal.Server.Hosting;

namespace Shoal.Bench;

/// <summary>
/// Shoal end to end: <c>servers</c> real servers in this process (SQLite, or all on one PostgreSQL schema), parts
/// submitted over REST, and pull agents (each its own HTTP client and token, spread over the servers) that lease a
/// batch and report it in one request. With SQLite there is one server.
/// </summary>
internal sealed class ShoalPeer(string? postgres, int servers = 1, int batch = 32, int streams = 1) : IPeer
{
    private readonly List<WebApplication> _apps = [];
    private string _adminToken = "";

    public string Name => postgres is null
        ? "Shoal, SQLite (WAL, synchronous=FULL), pull agents over REST"
        : $"Shoal, PostgreSQL, {servers} server(s), pull agents over REST";

    public string Durability => postgres is null ? "durable (fsync'd SQLite)" : "durable (PostgreSQL)";

    public async Task<(double Enqueue, double EndToEnd)> ThroughputAsync(int jobs, int workers)
    {
        await StartAsync();
        using var admin = Admin();
        var clients = await ClientsAsync(admin, workers);
        Interlocked.Exchange(ref _done, 0);
        var watch = Stopwatch.StartNew();
        var drain = Task.WhenAll(clients.Select(c => DrainAsync(c, batch, jobs, watch)));
        const int PerStream = 1000;
        var submitted = 0;
        for (var s = 0; submitted < jobs; s++)
        {
            var count = Math.Min(PerStream, jobs - submitted);
            var json = $$"""{"name":"bench-{{s % streams}}","jobs":[{"name":"noop","type":"noop","parts":[{{string.Join(",", Enumerable.Range(submitted, count).Select(i => $"\"{i}\""))}}]}]}""";
            (await admin.PostAsync("/api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            submitted += count;
        }

        var enqueued = watch.Elapsed;
        var done = (await drain).Sum();

        // The last report ends the run, not the agents' last long-polls (up to 1 s of waiting for parts that will not come).
        var elapsed = TimeSpan.FromTicks(Interlocked.Read(ref _lastReportTicks));
        clients.ForEach(c => c.Dispose());
        await StopAsync();
        return (jobs / enqueued.TotalSeconds, done == jobs ? jobs / elapsed.TotalSeconds : 0);
    }

    public async Task<List<double>> TrickleAsync(int rate, int seconds, int workers)
    {
        await StartAsync();
        using var admin = Admin();
        var clients = await ClientsAsync(admin, workers);
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var pollers = clients.Select(c => PollAsync(c, latencies, stop.Token)).ToList();
        await Task.Delay(1000);
        await Trickle.RunAsync(rate, seconds, stamp =>
            admin.PostAsync("/api/v1/streams", new StringContent($$"""{"name":"t","jobs":[{"name":"n","type":"noop","parts":["{{stamp.ToString(CultureInfo.InvariantCulture)}}"]}]}""", Encoding.UTF8, "application/json")));
        var until = DateTime.UtcNow.AddSeconds(10);
        while (latencies.Count < rate * seconds && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await Task.WhenAll(pollers.Select(p => p.ContinueWith(_ => { }, TaskScheduler.Default)));
        clients.ForEach(c => c.Dispose());
        await StopAsync();
        return [.. latencies];
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static long _done;
    private static long _lastReportTicks;

    private async Task StartAsync()
    {
        var schema = postgres is null ? null : await Postgres.FreshSchemaAsync(postgres, $"shoal_bench_{servers}");
        for (var i = 0; i < servers; i++)
        {
            var dir = Directory.CreateTempSubdirectory("shoal-bench-peer-").FullName;
            Directory.CreateDirectory(Path.Combine(dir, "agents"));
            var store = schema is null ? "synchronous = full" : $"postgres = {schema}";
            await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), $"[SCHEDULER]\nname = bench{i}\nport = 0\ncommand_port = 0\n[STORE]\n{store}\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "agents", "noop.conf"), "[default]\nkind = pull\nlease = 300\nmax = -1\n");
            var config = ConfigLoader.Load(Path.Combine(dir, "shoal.conf"));
            if (i == 0)
            {
                _adminToken = StateFiles.EnsureAdminToken(config.StateDir);
            }

            var app = await ShoalServer.BuildAsync(config, CancellationToken.None, minLevel: Microsoft.Extensions.Logging.LogLevel.Warning, publishUrl: false);
            await app.StartAsync();
            _apps.Add(app);
        }
    }

    private async Task StopAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _apps.Clear();
        NpgsqlConnection.ClearAllPools();
    }

    private HttpClient Admin()
    {
        var admin = new HttpClient { BaseAddress = new Uri(_apps[0].Url()) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken);
        return admin;
    }

    private async Task<List<PullAgentClient>> ClientsAsync(HttpClient admin, int count)
    {
        var clients = new List<PullAgentClient>();
        for (var i = 0; i < count; i++)
        {
            var created = await (await admin.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", $"bench{i}"), ShoalJson.Options)).Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options);
            clients.Add(new PullAgentClient(new Uri(_apps[i % _apps.Count].Url()), created!.Token));
        }

        return clients;
    }

    /// <summary>Leases a batch (waiting up to 1 s for parts still being submitted) and reports it in one request, until all are done.</summary>
    private static async Task<int> DrainAsync(PullAgentClient client, int batch, int total, Stopwatch watch)
    {
        var done = 0;
        while (Interlocked.Read(ref _done) < total)
        {
            var parts = await client.LeaseAsync(["noop"], batch, TimeSpan.FromSeconds(1), CancellationToken.None);
            if (parts.Count == 0)
            {
                continue;
            }

            await client.ReportAsync(parts.Select(p => new PartReportDto(p.PartId, p.LeaseId, "ok")).ToList(), CancellationToken.None);
            done += parts.Count;
            if (Interlocked.Add(ref _done, parts.Count) == total)
            {
                Interlocked.Exchange(ref _lastReportTicks, watch.Elapsed.Ticks);
            }
        }

        return done;
    }

    private static async Task PollAsync(PullAgentClient client, ConcurrentBag<double> latencies, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var parts = await client.LeaseAsync(["noop"], 1, TimeSpan.FromSeconds(5), stop);
            foreach (var p in parts)
            {
                latencies.Add(Trickle.Ms(long.Parse(p.Payload.GetString()!, CultureInfo.InvariantCulture)));
            }

            if (parts.Count > 0)
            {
                await client.ReportAsync(parts.Select(p => new PartReportDto(p.PartId, p.LeaseId, "ok")).ToList(), CancellationToken.None);
            }
        }
    }
}
