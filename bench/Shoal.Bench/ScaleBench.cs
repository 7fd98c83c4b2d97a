using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Shoal.Core.Config;
using Shoal.Storage.Sqlite;

namespace Shoal.Bench;

/// <summary>
/// Is Shoal flat as its store grows? The <c>compare</c> benchmark's in-process SQLite row (same workers, same batches,
/// synchronous=FULL) on a store that already holds 0, 1 k, 100 k, 1 M, 10 M finished parts (streams of 1,000, written
/// straight into the file as finished work), each against the empty store; then one job of 1 M parts against a
/// stream of 1,000. Prints markdown.
/// </summary>
internal static class ScaleBench
{
    private const int PerStream = 1000;

    public static async Task<int> RunAsync(string sizes, int jobs, int workers, int runs, int rate, int seconds, int bigJob)
    {
        // The process warms up first (JIT, thread pool), so that the empty store, measured first, is not the coldest.
        await using (var warm = new ShoalInProcessPeer(null))
        {
            for (var i = 0; i < 3; i++)
            {
                await warm.ThroughputAsync(jobs, workers);
            }
        }

        var rows = new List<(long Finished, double MiB, double FillSeconds, List<double> Rates, List<double> P99)>();
        foreach (var finished in new long[] { 0 }.Concat(sizes.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture))))
        {
            var dir = Directory.CreateTempSubdirectory("shoal-bench-scale-").FullName;
            var file = Path.Combine(dir, "bench.db");
            var fill = Stopwatch.StartNew();
            await using (var store = new SqliteStore(file, SqliteSync.Full))
            {
                await store.MigrateAsync(CancellationToken.None);
            }

            await PrefillAsync(file, finished);
            fill.Stop();
            var mib = new DirectoryInfo(dir).EnumerateFiles().Sum(f => f.Length) / (1024.0 * 1024.0);
            Console.WriteLine($"  {finished:N0} finished parts written in {fill.Elapsed.TotalSeconds:0.0} s ({mib:0} MiB)");

            var peer = new ShoalInProcessPeer(null, sqliteFile: file);
            await peer.ThroughputAsync(Math.Min(jobs, 2_000), workers);
            var rates = new List<double>();
            var p99 = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var (_, e2e) = await peer.ThroughputAsync(jobs, workers);
                var lat = (await peer.TrickleAsync(rate, seconds, workers)).Order().ToList();
                rates.Add(e2e);
                p99.Add(BenchServer.Pct(lat, 0.99));
                Console.WriteLine($"  {finished:N0} finished, run {run + 1}: end to end {e2e:0}/s, trickle p99 {BenchServer.Pct(lat, 0.99):0.00} ms ({lat.Count}/{rate * seconds})");
            }

            await peer.DisposeAsync();
            rows.Add((finished, mib, fill.Elapsed.TotalSeconds, rates, p99));
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }

        await using var big = new ShoalInProcessPeer(null);
        var (submitSeconds, bigRate) = await big.OneJobAsync(bigJob, workers);
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);
        Console.WriteLine($"  one job of {bigJob:N0} parts: submit {submitSeconds:0.0} s, then {bigRate:0} parts/s");

        var empty = Median(rows[0].Rates);
        Console.WriteLine();
        Console.WriteLine($"In-process workers ({workers}), SQLite synchronous=FULL, {jobs:N0} no-op parts in streams of {PerStream:N0}, median of {runs} runs (min–max) after untimed warm-ups; trickle {rate}/s for {seconds} s.");
        Console.WriteLine();
        Console.WriteLine("| finished parts already in the store | store size | end-to-end parts/s | of the empty store | trickle p99 ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var (finished, mib, _, rates, p99s) in rows)
        {
            Console.WriteLine($"| {finished:N0} | {mib:0} MiB | {CompareBench.Stat(rates, "0")} | {Median(rates) / empty:0.00}× | {CompareBench.Stat(p99s, "0.00")} |");
        }

        Console.WriteLine();
        Console.WriteLine($"One job of {bigJob:N0} parts (one submit of {submitSeconds:0.0} s, then the same workers): {bigRate:0} parts/s, {bigRate / empty:0.00}× the streams of {PerStream:N0}; peak working set of this process {peak} MiB.");
        return 0;
    }

    /// <summary>Writes <paramref name="parts"/> finished parts as finished streams of one job each, in one transaction, as the store would have left them.</summary>
    private static async Task PrefillAsync(string file, long parts)
    {
        if (parts == 0)
        {
            return;
        }

        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var streams = (parts + PerStream - 1) / PerStream;
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $streams)
            INSERT INTO streams (id, name, owner, priority, state, created_at, finished_at) SELECT i, 'old', 'bench', 0, 3, $now, $now FROM s;
            WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $streams)
            INSERT INTO jobs (id, stream_id, name, type, state, priority, retries, on_part_failure, deps_pending, ready_at, started_at, finished_at, n_parts, n_ready, n_done)
            SELECT i, i, 'noop', 'noop', 4, 0, 3, 0, 0, $now, $now, $now, min($per, $parts - (i - 1) * $per), 0, min($per, $parts - (i - 1) * $per) FROM s;
            WITH RECURSIVE p(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM p WHERE i + 1 < $parts)
            INSERT INTO parts (job_id, state, payload, attempt, lease_no, owner, host, finished_at) SELECT 1 + i / $per, 2, i, 1, 1, 'w0', 'local', $now FROM p;
            """;
        cmd.Parameters.AddWithValue("$streams", streams);
        cmd.Parameters.AddWithValue("$parts", parts);
        cmd.Parameters.AddWithValue("$per", PerStream);
        cmd.Parameters.AddWithValue("$now", now);
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync();
        await tx.CommitAsync();
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync();
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
