using System.Collections.Specialized;
using System.Diagnostics;
using Quartz;

namespace Shoal.Bench;

/// <summary>
/// Quartz.NET 4.7 with the clustered AdoJobStore on PostgreSQL (in a schema of its own, whose tables it provisions):
/// <c>jobs</c> no-op jobs, each with a start-now trigger, run by a thread pool of <c>workers</c>.
/// </summary>
internal static class QuartzPeer
{
    private static int _done;

    public static async Task<double> RunAsync(string postgres, int jobs, int workers)
    {
        var conn = await Postgres.FreshSchemaAsync(postgres, "quartz_bench");
        var props = new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = "ShoalBench",
            ["quartz.scheduler.instanceId"] = "AUTO",
            ["quartz.threadPool.maxConcurrency"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["quartz.scheduler.batchTriggerAcquisitionMaxCount"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["quartz.jobStore.type"] = "Quartz.Impl.AdoJobStore.JobStoreTX, Quartz",
            ["quartz.jobStore.driverDelegateType"] = "Quartz.Impl.AdoJobStore.PostgreSQLDelegate, Quartz",
            ["quartz.jobStore.tablePrefix"] = "qrtz_",
            ["quartz.jobStore.dataSource"] = "default",
            ["quartz.jobStore.clustered"] = "true",
            ["quartz.dataSource.default.provider"] = "Npgsql",
            ["quartz.dataSource.default.connectionString"] = conn,
            ["quartz.serializer.type"] = "stj",
            // Quartz 4.7 creates its tables in the empty schema (the package has the DDL in code, not as SQL files).
            ["quartz.jobStore.schemaProvisioning"] = "CreateIfMissing",
        };
        var scheduler = await QuartzSchedulerBuilder.Create(_ => { }).UseProperties(props).BuildScheduler();
        Interlocked.Exchange(ref _done, 0);
        await scheduler.Start();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i++)
        {
            var job = JobBuilder.Create<NoopJob>().WithIdentity($"j{i}").Build();
            await scheduler.ScheduleJob(job, TriggerBuilder.Create().WithIdentity($"t{i}").StartNow().Build());
        }

        var enqueued = watch.Elapsed;
        while (Volatile.Read(ref _done) < jobs && watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(20);
        }

        watch.Stop();
        await scheduler.Shutdown(waitForJobsToComplete: false);
        var rate = _done / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  quartz adojobstore (clustered), {workers} threads: {_done} jobs in {watch.Elapsed.TotalSeconds:0.00} s -> {rate:0} jobs/s (scheduling alone {jobs / enqueued.TotalSeconds:0} jobs/s)");
        return _done == jobs ? rate : 0;
    }

    /// <summary>The job: does nothing but count.</summary>
    internal sealed class NoopJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _done);
            return ValueTask.CompletedTask;
        }
    }
}
