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
        var peers = all.Where(p => keys.Length == 0 || keys.Contains(p.Key)).ToList();
        foreach (var unused in all.Except(peers))
        {
            await unused.Peer.DisposeAsync();
        }

        var results = new List<string>();
        var medians = new Dictionary<string, (double EndToEnd, double P99)>();
        foreach (var (key, peer, n) in peers)
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
            medians[key] = (e2e.Order().ElementAt(e2e.Count / 2), p99.Order().ElementAt(p99.Count / 2));
            await peer.DisposeAsync();
        }

        Console.WriteLine();
        Console.WriteLine($"No-op jobs, {workers} workers, median of {runs} runs (min–max) after one untimed warm-up run; trickle of {rate} jobs/s for {seconds} s, enqueue to start.");
        Console.WriteLine();
        Console.WriteLine("| scheduler | durability | jobs | enqueue jobs/s | end-to-end jobs/s | trickle p50 ms | trickle p99 ms |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        results.ForEach(Console.WriteLine);
        PrintTargets(medians);
        return 0;
    }

    /// <summary>
    /// Issue 22's targets that this run measured, each as its ratio or figure against the bar (the medians above).
    /// Targets 4 and 5 have benchmarks of their own: <c>scale</c> and <c>bench/fossology-vs-shoal.sh</c>.
    /// </summary>
    private static void PrintTargets(Dictionary<string, (double EndToEnd, double P99)> m)
    {
        var lines = new List<string>();
        void Target(string what, bool measured, Func<(string Figure, bool Met)> check)
        {
            if (measured)
            {
                var (figure, met) = check();
                lines.Add($"| {what} | {figure} | {(met ? "met" : "not met")} |");
            }
        }

        Target("1. durable SQLite ≥ 1.0× Quartz RAMJobStore, end to end", m.ContainsKey("shoal-sqlite") && m.ContainsKey("quartz-ram"),
            () => ($"{m["shoal-sqlite"].EndToEnd / m["quartz-ram"].EndToEnd:0.00}×", m["shoal-sqlite"].EndToEnd >= m["quartz-ram"].EndToEnd));
        Target("1. durable SQLite trickle p99 < 2 ms", m.ContainsKey("shoal-sqlite"), () => ($"{m["shoal-sqlite"].P99:0.00} ms", m["shoal-sqlite"].P99 < 2));
        Target("2. REST ≥ 0.50× in-process, SQLite", m.ContainsKey("shoal-sqlite") && m.ContainsKey("shoal-sqlite-rest"),
            () => ($"{m["shoal-sqlite-rest"].EndToEnd / m["shoal-sqlite"].EndToEnd:0.00}×", m["shoal-sqlite-rest"].EndToEnd >= 0.5 * m["shoal-sqlite"].EndToEnd));
        Target("3. PostgreSQL in-process ≥ 40,000/s", m.ContainsKey("shoal-pg"), () => ($"{m["shoal-pg"].EndToEnd:N0}/s", m["shoal-pg"].EndToEnd >= 40_000));
        Target("3. PostgreSQL REST ≥ 20,000/s", m.ContainsKey("shoal-pg-rest"), () => ($"{m["shoal-pg-rest"].EndToEnd:N0}/s", m["shoal-pg-rest"].EndToEnd >= 20_000));
        Target("3. PostgreSQL trickle p99 < 10 ms (in-process, REST)", m.ContainsKey("shoal-pg") && m.ContainsKey("shoal-pg-rest"),
            () => ($"{m["shoal-pg"].P99:0.0} ms, {m["shoal-pg-rest"].P99:0.0} ms", m["shoal-pg"].P99 < 10 && m["shoal-pg-rest"].P99 < 10));
        if (lines.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("| target (issue 22) | this run | |");
        Console.WriteLine("|---|---:|---|");
        lines.ForEach(Console.WriteLine);
        Console.WriteLine("(4: `scale`; 5: bench/fossology-vs-shoal.sh)");
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
