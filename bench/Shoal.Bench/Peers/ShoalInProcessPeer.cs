using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Storage;
using Shoal.Storage.Postgres;
using Shoal.Storage.Sqlite;

namespace Shoal.Bench;

/// <summary>
/// Shoal's engine with in-process workers, as Hangfire's and Quartz's workers are: the store API (submit, lease a
/// batch, report the batch in one transaction) on SQLite or PostgreSQL, no HTTP. Idle workers wait to be woken as
/// the server's long polls do: a submit wakes as many as its parts need, and a worker that got a full batch wakes one
/// more (there may be more work); one that finds nothing goes back to sleep.
/// </summary>
/// <remarks>With <paramref name="sqliteFile"/> every run uses that (prefilled) store file instead of a fresh one.</remarks>
internal sealed class ShoalInProcessPeer(string? postgres, int batch = 128, string? sqliteFile = null) : IPeer
{
    private static readonly List<TypeLimit> Types = [new("noop", -1, TimeSpan.FromMinutes(5))];
    private readonly SemaphoreSlim _wakes = new(0);
    private int _workers = 1;
    private long _done;
    private long _lastReportTicks;

    public string Name => postgres is null
        ? "Shoal, SQLite (WAL, synchronous=FULL), in-process workers"
        : "Shoal, PostgreSQL, in-process workers";

    public string Durability => postgres is null ? "durable (fsync'd SQLite)" : "durable (PostgreSQL)";

    public async Task<(double Enqueue, double EndToEnd)> ThroughputAsync(int jobs, int workers)
    {
        await using var store = await OpenAsync();
        _workers = workers;
        Interlocked.Exchange(ref _done, 0);
        var watch = Stopwatch.StartNew();
        var running = Enumerable.Range(0, workers).Select(w => Task.Run(() => DrainAsync(store, $"w{w}", jobs, watch))).ToList();
        const int PerStream = 1000;
        for (var s = 0; s * PerStream < jobs; s++)
        {
            var n = Math.Min(PerStream, jobs - (s * PerStream));
            await store.SubmitAsync(Spec(Enumerable.Range(s * PerStream, n).Select(i => i.ToString(CultureInfo.InvariantCulture))), Rules, DateTimeOffset.UtcNow, CancellationToken.None);
            Wake((n + batch - 1) / batch);
        }

        var enqueued = watch.Elapsed;
        await Task.WhenAll(running);

        // The last report ends the run, not the workers' last wait for parts that will not come.
        return (jobs / enqueued.TotalSeconds, jobs / TimeSpan.FromTicks(Interlocked.Read(ref _lastReportTicks)).TotalSeconds);
    }

    /// <summary>One stream of one job with <paramref name="parts"/> parts, submitted in one call, then worked: submit seconds and parts/s from the submit's end to the last report.</summary>
    public async Task<(double SubmitSeconds, double Rate)> OneJobAsync(int parts, int workers)
    {
        await using var store = await OpenAsync();
        _workers = workers;
        Interlocked.Exchange(ref _done, 0);
        var submit = Stopwatch.StartNew();
        await store.SubmitAsync(Spec(Enumerable.Range(0, parts).Select(i => i.ToString(CultureInfo.InvariantCulture))), Rules, DateTimeOffset.UtcNow, CancellationToken.None);
        submit.Stop();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => DrainAsync(store, $"w{w}", parts, watch))));
        return (submit.Elapsed.TotalSeconds, parts / TimeSpan.FromTicks(Interlocked.Read(ref _lastReportTicks)).TotalSeconds);
    }

    public async Task<List<double>> TrickleAsync(int rate, int seconds, int workers)
    {
        await using var store = await OpenAsync();
        _workers = workers;
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var running = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var leased = await store.LeaseAsync(new LeaseRequest($"w{w}", "local", -1, Types, 1, DateTimeOffset.UtcNow, null), CancellationToken.None);
                foreach (var p in leased)
                {
                    latencies.Add(Trickle.Ms(long.Parse(p.Payload, CultureInfo.InvariantCulture)));
                }

                if (leased.Count == 0)
                {
                    await _wakes.WaitAsync(1000, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    continue;
                }

                await store.CompleteAsync(leased.Select(p => new PartReport(p.PartId, p.LeaseId, $"w{w}", PartOutcome.Ok)).ToList(), DateTimeOffset.UtcNow, CancellationToken.None);
            }
        })).ToList();
        await Trickle.RunAsync(rate, seconds, async stamp =>
        {
            await store.SubmitAsync(Spec([stamp.ToString(CultureInfo.InvariantCulture)]), Rules, DateTimeOffset.UtcNow, CancellationToken.None);
            Wake(1);
        });
        var until = DateTime.UtcNow.AddSeconds(10);
        while (latencies.Count < rate * seconds && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await Task.WhenAll(running.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        return [.. latencies];
    }

    public ValueTask DisposeAsync()
    {
        _wakes.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>One worker: leases a batch, reports it in one transaction, until <paramref name="jobs"/> parts are done by all; the last report's time is kept.</summary>
    private async Task DrainAsync(IShoalStore store, string owner, int jobs, Stopwatch watch)
    {
        while (Interlocked.Read(ref _done) < jobs)
        {
            var leased = await store.LeaseAsync(new LeaseRequest(owner, "local", -1, Types, batch, DateTimeOffset.UtcNow, null), CancellationToken.None);
            if (leased.Count == 0)
            {
                await _wakes.WaitAsync(50);
                continue;
            }

            if (leased.Count == batch)
            {
                Wake(1);
            }

            await store.CompleteAsync(leased.Select(p => new PartReport(p.PartId, p.LeaseId, owner, PartOutcome.Ok)).ToList(), DateTimeOffset.UtcNow, CancellationToken.None);
            if (Interlocked.Add(ref _done, leased.Count) == jobs)
            {
                Interlocked.Exchange(ref _lastReportTicks, watch.Elapsed.Ticks);
            }
        }
    }

    private static StreamSpec Spec(IEnumerable<string> payloads) =>
        new("bench", "bench", 0, [new JobSpec("noop", "noop", [], payloads.Select(p => new PartSpec(p, null)).ToList(), null)]);

    private static JobRules Rules(string type) => new(3, OnPartFailure.FailJob);

    /// <summary>Lets up to <paramref name="count"/> sleeping workers look for work (no more wakes pile up than there are workers).</summary>
    private void Wake(int count)
    {
        var room = _workers - _wakes.CurrentCount;
        if (room > 0)
        {
            _wakes.Release(Math.Min(count, room));
        }
    }

    private async Task<IShoalStore> OpenAsync()
    {
        IShoalStore store = postgres is null
            ? new SqliteStore(sqliteFile ?? Path.Combine(Directory.CreateTempSubdirectory("shoal-bench-inproc-").FullName, "bench.db"), SqliteSync.Full)
            : new PostgresStore(await Postgres.FreshSchemaAsync(postgres, "shoal_bench_inproc"));
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }
}
