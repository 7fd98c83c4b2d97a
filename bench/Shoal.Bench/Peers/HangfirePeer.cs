using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;

namespace Shoal.Bench;

/// <summary>
/// Hangfire 1.8 with Hangfire.PostgreSql (it creates its own schema): <c>jobs</c> no-op fire-and-forget jobs
/// enqueued one by one, run by one <see cref="BackgroundJobServer"/> with <c>workers</c> workers.
/// </summary>
internal static class HangfirePeer
{
    private static int _done;

    /// <summary>The job: does nothing but count.</summary>
    public static void Noop() => Interlocked.Increment(ref _done);

    public static async Task<double> RunAsync(string postgres, int jobs, int workers)
    {
        var conn = await Postgres.FreshSchemaAsync(postgres, "hangfire_bench");
        GlobalConfiguration.Configuration.UsePostgreSqlStorage(
            o => o.UseNpgsqlConnection(conn),
            new PostgreSqlStorageOptions { SchemaName = "hangfire_bench", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(50) });
        var storage = JobStorage.Current;
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
            await Task.Delay(20);
        }

        watch.Stop();
        var rate = _done / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  hangfire.postgresql, {workers} workers: {_done} jobs in {watch.Elapsed.TotalSeconds:0.00} s -> {rate:0} jobs/s (enqueue alone {jobs / enqueued.TotalSeconds:0} jobs/s)");
        return _done == jobs ? rate : 0;
    }
}
