using System.Diagnostics;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Storage;
using Shoal.Storage.Sqlite;

namespace Shoal.Bench;

/// <summary>
/// Parts through the durable SQLite store with in-process lease and complete: each worker leases a
/// batch in one statement and reports the batch in one transaction (group commit).
/// </summary>
internal static class InProcessBench
{
    public static async Task<int> RunAsync(int parts, int workers, int batch, string sync, string postgres)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-bench-").FullName;
        var syncLevel = sync == "normal" ? SqliteSync.Normal : SqliteSync.Full;
        await using IShoalStore store = postgres.Length > 0
            ? new Storage.Postgres.PostgresStore(await Postgres.FreshSchemaAsync(postgres, "shoal_bench_inproc"))
            : new SqliteStore(Path.Combine(dir, "bench.db"), syncLevel);
        await store.MigrateAsync(CancellationToken.None);
        var time = TimeProvider.System;
        var spec = new StreamSpec("bench", "bench", 0, [new JobSpec("noop", "noop", [], Enumerable.Range(0, parts).Select(i => new PartSpec(i.ToString(System.Globalization.CultureInfo.InvariantCulture), null)).ToList(), null)]);

        var total = Stopwatch.StartNew();
        var created = await store.SubmitAsync(spec, _ => new JobRules(3, OnPartFailure.FailJob), time.GetUtcNow(), CancellationToken.None);
        var submitSeconds = total.Elapsed.TotalSeconds;
        var run = Stopwatch.StartNew();
        // Task.Run: each worker on its own, or the first one would run every batch before the others start.
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(store, time, $"bench-{w}", batch))).ToArray();
        var done = (await Task.WhenAll(tasks)).Sum();
        run.Stop();
        total.Stop();

        var job = (await store.GetJobAsync(created.Jobs["noop"], CancellationToken.None))!;
        var stream = (await store.GetStreamAsync(created.Id, CancellationToken.None))!.Stream;
        Console.WriteLine(postgres.Length > 0
            ? $"in-process, PostgreSQL, {parts} parts, {workers} worker(s), batch {batch}"
            : $"in-process, SQLite WAL synchronous={sync.ToUpperInvariant()}, {parts} parts, {workers} worker(s), batch {batch}");
        Console.WriteLine($"  submit: {submitSeconds:0.00} s ({parts / submitSeconds:0} parts/s)");
        Console.WriteLine($"  lease+complete: {run.Elapsed.TotalSeconds:0.00} s -> {done / run.Elapsed.TotalSeconds:0} parts/s");
        Console.WriteLine($"  end to end (submit + run): {parts / total.Elapsed.TotalSeconds:0} parts/s");
        Console.WriteLine($"  stream {stream.State.Name()}, done {job.Parts.Done}, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");
        Directory.Delete(dir, recursive: true);
        return job.Parts.Done == parts && stream.State == StreamState.Completed ? 0 : 1;
    }

    private static async Task<int> WorkAsync(IShoalStore store, TimeProvider time, string owner, int batch)
    {
        var done = 0;
        var types = new List<TypeLimit> { new("noop", -1, TimeSpan.FromMinutes(5)) };
        while (true)
        {
            var leased = await store.LeaseAsync(new LeaseRequest(owner, "local", -1, types, batch, time.GetUtcNow(), null), CancellationToken.None);
            if (leased.Count == 0)
            {
                return done;
            }

            await store.CompleteAsync(leased.Select(p => new PartReport(p.PartId, p.LeaseId, owner, PartOutcome.Ok)).ToList(), time.GetUtcNow(), CancellationToken.None);
            done += leased.Count;
        }
    }
}
