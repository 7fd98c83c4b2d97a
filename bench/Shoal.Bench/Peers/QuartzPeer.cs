using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Diagnostics;
using System.Globalization;
using Quartz;

namespace Shoal.Bench;

/// <summary>
/// Quartz.NET 4.7: the RAMJobStore, or the clustered AdoJobStore on PostgreSQL (in a schema of its own, whose
/// tables Quartz provisions). Each job is an <see cref="IJob"/> scheduled with a start-now trigger.
/// </summary>
internal sealed class QuartzPeer(string? postgres) : IPeer
{
    private static int _done;
    private static ConcurrentBag<double> _latencies = [];
    private int _run;

    public string Name => postgres is null ? "Quartz.NET 4.7.3, RAMJobStore" : "Quartz.NET 4.7.3, AdoJobStore clustered (PostgreSQL)";

    public string Durability => postgres is null ? "not durable (memory)" : "durable (PostgreSQL)";

    public async Task<(double Enqueue, double EndToEnd)> ThroughputAsync(int jobs, int workers)
    {
        var scheduler = await StartAsync(workers);
        Interlocked.Exchange(ref _done, 0);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i++)
        {
            await scheduler.ScheduleJob(JobBuilder.Create<NoopJob>().WithIdentity($"j{i}").Build(), TriggerBuilder.Create().WithIdentity($"t{i}").StartNow().Build());
        }

        var enqueued = watch.Elapsed;
        while (Volatile.Read(ref _done) < jobs && watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            await Task.Delay(5);
        }

        var rate = Volatile.Read(ref _done) == jobs ? jobs / watch.Elapsed.TotalSeconds : 0;
        await scheduler.Shutdown(waitForJobsToComplete: false);
        return (jobs / enqueued.TotalSeconds, rate);
    }

    public async Task<List<double>> TrickleAsync(int rate, int seconds, int workers)
    {
        var scheduler = await StartAsync(workers);
        _latencies = [];
        await Task.Delay(1000);
        var n = 0;
        await Trickle.RunAsync(rate, seconds, stamp =>
        {
            var i = Interlocked.Increment(ref n);
            var job = JobBuilder.Create<StampedJob>().WithIdentity($"s{i}").UsingJobData("stamp", stamp.ToString(CultureInfo.InvariantCulture)).Build();
            return scheduler.ScheduleJob(job, TriggerBuilder.Create().WithIdentity($"st{i}").StartNow().Build()).AsTask();
        });
        var until = DateTime.UtcNow.AddSeconds(30);
        while (_latencies.Count < rate * seconds && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        await scheduler.Shutdown(waitForJobsToComplete: false);
        return [.. _latencies];
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<IScheduler> StartAsync(int workers)
    {
        var props = new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = $"ShoalBench{_run++}",
            ["quartz.scheduler.instanceId"] = "AUTO",
            ["quartz.threadPool.maxConcurrency"] = workers.ToString(CultureInfo.InvariantCulture),
            ["quartz.scheduler.batchTriggerAcquisitionMaxCount"] = workers.ToString(CultureInfo.InvariantCulture),
            ["quartz.serializer.type"] = "stj",
        };
        if (postgres is null)
        {
            props["quartz.jobStore.type"] = "Quartz.Simpl.RAMJobStore, Quartz";
        }
        else
        {
            props["quartz.jobStore.type"] = "Quartz.Impl.AdoJobStore.JobStoreTX, Quartz";
            props["quartz.jobStore.driverDelegateType"] = "Quartz.Impl.AdoJobStore.PostgreSQLDelegate, Quartz";
            props["quartz.jobStore.tablePrefix"] = "qrtz_";
            props["quartz.jobStore.dataSource"] = "default";
            props["quartz.jobStore.clustered"] = "true";
            props["quartz.dataSource.default.provider"] = "Npgsql";
            props["quartz.dataSource.default.connectionString"] = await Postgres.FreshSchemaAsync(postgres, "quartz_bench");
            // Quartz 4.7 creates its tables in the empty schema (the package has the DDL in code, not as SQL files).
            props["quartz.jobStore.schemaProvisioning"] = "CreateIfMissing";
        }

        var scheduler = await QuartzSchedulerBuilder.Create(_ => { }).UseProperties(props).BuildScheduler();
        await scheduler.Start();
        return scheduler;
    }

    /// <summary>A throughput job: counts.</summary>
    internal sealed class NoopJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _done);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A trickle job: records how long after its enqueue it started.</summary>
    internal sealed class StampedJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            _latencies.Add(Trickle.Ms(long.Parse(context.MergedJobDataMap.GetString("stamp")!, CultureInfo.InvariantCulture)));
            return ValueTask.CompletedTask;
        }
    }
}
