using System.Globalization;

namespace Shoal.Bench;

/// <summary>
/// Side-by-side runs of the same no-op work through Shoal and its peers, each on this machine in one run:
/// <c>cluster</c> (Shoal on PostgreSQL with 1, 2, 3 servers against the PostgreSQL peers) and <c>compare</c>
/// (every store, throughput and trickle latency, median of several runs with min and max). Both print markdown.
/// </summary>
internal static class CompareBench
{
    public static async Task<int> ClusterAsync(string postgres, string servers, int parts, int agents, int batch, int streams, string peers, int peerJobs, int workers)
    {
        if (!HasPostgres(postgres))
        {
            return 2;
        }

        var rows = new List<(string Name, int Jobs, double Rate)>();
        foreach (var n in servers.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)))
        {
            await using var shoal = new ShoalPeer(postgres, n, batch, streams);
            var (_, rate) = await shoal.ThroughputAsync(parts, agents);
            Console.WriteLine($"  shoal, {n} server(s), {agents} pull agents, batches of {batch}, {streams} stream(s): {rate:0} parts/s");
            rows.Add(($"Shoal, {n} server(s), {agents} pull agents over REST, batches of {batch}, {streams} stream(s)", parts, rate));
        }

        foreach (var peer in peers.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            await using IPeer p = peer == "hangfire" ? new HangfirePeer(postgres) : new QuartzPeer(postgres);
            var (_, rate) = await p.ThroughputAsync(peerJobs, workers);
            Console.WriteLine($"  {p.Name}, {workers} workers: {rate:0} jobs/s");
            rows.Add(($"{p.Name}, {workers} workers", peerJobs, rate));
        }

        Console.WriteLine();
        Console.WriteLine("| scheduler (all on the same PostgreSQL) | jobs | end-to-end jobs/s | Shoal (1 server) is |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, jobs, rate) in rows)
        {
            Console.WriteLine($"| {name} | {jobs} | {rate:0} | {(rate > 0 ? $"{rows[0].Rate / rate:0.0}×" : "-")} |");
        }

        return rows.All(r => r.Rate > 0) ? 0 : 1;
    }

    public static async Task<int> CompareAsync(string postgres, int jobs, int pgJobs, int workers, int runs, int rate, int seconds, string only)
    {
        var all = new List<(string Key, IPeer Peer, int Jobs)>
        {
            ("shoal-sqlite", new ShoalInProcessPeer(null), jobs),
            ("shoal-sqlite-rest", new ShoalPeer(null), jobs),
            ("hangfire-memory", new HangfirePeer(null), jobs),
            ("quartz-ram", new QuartzPeer(null), jobs),
        };
        if (HasPostgres(postgres, required: false))
        {
            all.Add(("shoal-pg", new ShoalInProcessPeer(postgres), jobs));
            all.Add(("shoal-pg-rest", new ShoalPeer(postgres), jobs));
            all.Add(("hangfire-pg", new HangfirePeer(postgres), pgJobs));
            all.Add(("quartz-pg", new QuartzPeer(postgres), pgJobs));
        }

        var keys = only.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var peers = all.Where(p => keys.Length == 0 || keys.Contains(p.Key)).Select(p => (p.Peer, p.Jobs)).ToList();

        var results = new List<string>();
        foreach (var (peer, n) in peers)
        {
            var enqueue = new List<double>();
            var e2e = new List<double>();
            var p50 = new List<double>();
            var p99 = new List<double>();

            // One untimed run first: JIT, thread pool growth and connection pools warm up for every peer alike.
            var (_, warm) = await peer.ThroughputAsync(Math.Min(n, 2_000), workers);
            Console.WriteLine($"  {peer.Name} warm-up ({Math.Min(n, 2_000)} jobs, not counted): {warm:0}/s");
            for (var run = 0; run < runs; run++)
            {
                var (q, e) = await peer.ThroughputAsync(n, workers);
                var lat = (await peer.TrickleAsync(rate, seconds, workers)).Order().ToList();
                enqueue.Add(q);
                e2e.Add(e);
                p50.Add(Pct(lat, 0.50));
                p99.Add(Pct(lat, 0.99));
                Console.WriteLine($"  {peer.Name} run {run + 1}: enqueue {q:0}/s, end to end {e:0}/s, trickle p50 {Pct(lat, 0.5):0.00} ms p99 {Pct(lat, 0.99):0.00} ms ({lat.Count}/{rate * seconds})");
            }

            results.Add($"| {peer.Name} | {peer.Durability} | {n} | {Stat(enqueue, "0")} | {Stat(e2e, "0")} | {Stat(p50, "0.00")} | {Stat(p99, "0.00")} |");
            await peer.DisposeAsync();
        }

        Console.WriteLine();
        Console.WriteLine($"No-op jobs, {workers} workers, median of {runs} runs (min–max) after one untimed warm-up run; trickle of {rate} jobs/s for {seconds} s, enqueue to start.");
        Console.WriteLine();
        Console.WriteLine("| scheduler | durability | jobs | enqueue jobs/s | end-to-end jobs/s | trickle p50 ms | trickle p99 ms |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        results.ForEach(Console.WriteLine);
        return 0;
    }

    private static bool HasPostgres(string postgres, bool required = true)
    {
        if (postgres.Length > 0)
        {
            return true;
        }

        if (required)
        {
            Console.Error.WriteLine("--postgres CONNECTION_STRING (or SHOAL_POSTGRES) is required; scripts/pg-cluster.sh start prints one");
        }
        else
        {
            Console.Error.WriteLine("no --postgres: the PostgreSQL rows are left out");
        }

        return false;
    }

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    internal static string Stat(List<double> values, string format)
    {
        var sorted = values.Order().ToList();
        return $"{sorted[sorted.Count / 2].ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})";
    }
}
