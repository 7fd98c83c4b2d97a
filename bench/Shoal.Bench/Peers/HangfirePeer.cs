using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;

namespace Shoal.Bench;

/// <summary>
/// Hangfire 1.8: in memory (Hangfire.InMemory), or Hangfire.PostgreSql (it creates its own schema). Jobs are
/// fire-and-forget calls of a static method, enqueued one by one; one <see cref="BackgroundJobServer"/> runs them.
/// </summary>
internal sealed class HangfirePeer(string? postgres) : IPeer
{
    private static int _done;
    private static ConcurrentBag<double> _latencies = [];

    public string Name => postgres is null ? "Hangfire 1.8.25, Hangfire.InMemory 1.0.0" : "Hangfire 1.8.25, Hangfire.PostgreSql 1.21.1";

    public string Durability => postgres is null ? "not durable (memory)" : "durable (PostgreSQL)";

    /// <summary>A throughput job: counts.</summary>
    public static void Noop() => Interlocked.Increment(ref _done);

    /// <summary>A trickle job: records how long after its enqueue it started.</summary>
    public static void Stamped(long stamp) => _latencies.Add(Trickle.Ms(stamp));

    public async Task<(double Enqueue, double EndToEnd)> ThroughputAsync(int jobs, int workers)
    {
        var storage = await StorageAsync();
        var client = new BackgroundJobClient(storage);
        Interlocked.Exchange(ref _done, 0);
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers, ServerName = "bench" }, storage);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i++)
        {
            client.Enqueue(() => Noop());
        }

        var enqueued = watch.Elapsed;
        while (Volatile.Read(ref _done) < jobs && watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(5);
        }

        return (jobs / enqueued.TotalSeconds, Volatile.Read(ref _done) == jobs ? jobs / watch.Elapsed.TotalSeconds : 0);
    }

    public async Task<List<double>> TrickleAsync(int rate, int seconds, int workers)
    {
        var storage = await StorageAsync();
        var client = new BackgroundJobClient(storage);
        _latencies = [];
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers, ServerName = "bench" }, storage);
        await Task.Delay(1000);
        await Trickle.RunAsync(rate, seconds, stamp => Task.Run(() => client.Enqueue(() => Stamped(stamp))));
        var until = DateTime.UtcNow.AddSeconds(30);
        while (_latencies.Count < rate * seconds && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        return [.. _latencies];
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<JobStorage> StorageAsync()
    {
        if (postgres is null)
        {
            return new InMemoryStorage();
        }

        var conn = await Postgres.FreshSchemaAsync(postgres, "hangfire_bench");
        GlobalConfiguration.Configuration.UsePostgreSqlStorage(
            o => o.UseNpgsqlConnection(conn),
            new PostgreSqlStorageOptions { SchemaName = "hangfire_bench", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(50) });
        return JobStorage.Current;
    }
}
