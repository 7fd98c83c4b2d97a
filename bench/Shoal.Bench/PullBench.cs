using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Shoal.Agent;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Server;
using Shoal.Server.Hosting;

namespace Shoal.Bench;

/// <summary>
/// No-op parts through the REST API: <c>agents</c> pull agents (each its own HTTP client and token) lease
/// batches and report every part; then a trickle of single-part submits at a steady rate, timing submit → lease.
/// </summary>
internal static class PullBench
{
    public static async Task<int> RunAsync(int parts, int agents, int batch, int trickleRate, int trickleSeconds)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-bench-pull-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\n[STORE]\nsynchronous = full\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "noop.conf"), "[default]\nkind = pull\nlease = 300\n");
        var config = ConfigLoader.Load(Path.Combine(dir, "shoal.conf"));
        var app = await ShoalServer.BuildAsync(config, CancellationToken.None, minLevel: Microsoft.Extensions.Logging.LogLevel.Warning);
        await app.StartAsync();
        var url = new Uri(app.Url());
        using var admin = new HttpClient { BaseAddress = url };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StateFiles.EnsureAdminToken(config.StateDir));
        var clients = new List<PullAgentClient>();
        for (var i = 0; i < agents; i++)
        {
            var created = await (await admin.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", $"bench{i}"), ShoalJson.Options)).Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options);
            clients.Add(new PullAgentClient(url, created!.Token));
        }

        // Throughput.
        var json = $$"""{"name":"bench","jobs":[{"name":"noop","type":"noop","parts":[{{string.Join(",", Enumerable.Range(0, parts).Select(i => $"\"{i}\""))}}]}]}""";
        var watch = Stopwatch.StartNew();
        (await admin.PostAsync("/api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var done = await Task.WhenAll(clients.Select(c => DrainAsync(c, batch)));
        watch.Stop();
        Console.WriteLine($"pull agents over REST: {agents} agents, batch leases of {batch}, {parts} no-op parts, SQLite synchronous=FULL");
        Console.WriteLine($"  {done.Sum()} parts in {watch.Elapsed.TotalSeconds:0.00} s -> {done.Sum() / watch.Elapsed.TotalSeconds:0} parts/s (submit, lease, one report request per part)");

        // Latency under a trickle: agents long-poll; parts are submitted one by one at a steady rate.
        var latencies = new List<double>();
        using var stop = new CancellationTokenSource();
        var pollers = clients.Select(c => PollAsync(c, latencies, stop.Token)).ToList();
        var interval = TimeSpan.FromSeconds(1.0 / trickleRate);
        var total = trickleRate * trickleSeconds;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var stamp = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);
            _ = admin.PostAsync("/api/v1/streams", new StringContent($$"""{"name":"t","jobs":[{"name":"n","type":"noop","parts":["{{stamp}}"]}]}""", Encoding.UTF8, "application/json"));
        }

        await Task.Delay(2000);
        await stop.CancelAsync();
        await Task.WhenAll(pollers.Select(p => p.ContinueWith(_ => { }, TaskScheduler.Default)));
        double[] sorted;
        lock (latencies)
        {
            sorted = [.. latencies.Order()];
        }

        Console.WriteLine($"  trickle of {trickleRate} parts/s for {trickleSeconds} s: {sorted.Length}/{total} leased; submit-to-lease p50 {Pct(sorted, 0.50):0.0} ms, p99 {Pct(sorted, 0.99):0.0} ms, max {sorted.LastOrDefault():0.0} ms");
        Console.WriteLine($"  peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB (server and agents in one process)");
        clients.ForEach(c => c.Dispose());
        await app.StopAsync();
        return done.Sum() == parts ? 0 : 1;
    }

    private static async Task<int> DrainAsync(PullAgentClient client, int batch)
    {
        var done = 0;
        while (true)
        {
            var parts = await client.LeaseAsync(["noop"], batch, TimeSpan.Zero, CancellationToken.None);
            if (parts.Count == 0)
            {
                return done;
            }

            await Task.WhenAll(parts.Select(p => client.CompleteAsync(p.PartId, p.LeaseId, true, null, null, CancellationToken.None)));
            done += parts.Count;
        }
    }

    private static async Task PollAsync(PullAgentClient client, List<double> latencies, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var parts = await client.LeaseAsync(["noop"], 32, TimeSpan.FromSeconds(5), stop);
            var now = Stopwatch.GetTimestamp();
            lock (latencies)
            {
                latencies.AddRange(parts.Select(p => Stopwatch.GetElapsedTime(long.Parse(p.Payload.GetString()!, CultureInfo.InvariantCulture), now).TotalMilliseconds));
            }

            await Task.WhenAll(parts.Select(p => client.CompleteAsync(p.PartId, p.LeaseId, true, null, null, CancellationToken.None)));
        }
    }

    private static double Pct(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
