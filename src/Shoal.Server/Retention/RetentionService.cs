using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Retention;

/// <summary>
/// Purges finished streams, part results, host results and job logs older than <c>[RETENTION] days</c>, and
/// host results beyond the newest <c>results_per_host</c>, in small batches, so that the store and the status
/// pages stay fast after a year of daily sweeps.
/// </summary>
internal sealed class RetentionService(IQueueStore store, ConfigHolder config, TimeProvider time, ClusterMember cluster, ILogger<RetentionService> logger) : BackgroundService
{
    public const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(config.Current.Retention.Every, time);
        try
        {
            do
            {
                if (cluster.IsLeader)
                {
                    await PurgeAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PurgeAsync(CancellationToken ct)
    {
        try
        {
            var r = config.Current.Retention;
            var before = time.GetUtcNow() - r.Keep;
            int removed;
            do
            {
                removed = await store.PurgeAsync(before, r.ResultsPerHost, Batch, ct).ConfigureAwait(false);
                await Task.Yield();
            }
            while (removed > 0);

            var jobs = Path.Combine(config.Current.LogDir, "jobs");
            if (Directory.Exists(jobs))
            {
                foreach (var file in Directory.EnumerateFiles(jobs).Where(f => File.GetLastWriteTimeUtc(f) < before.UtcDateTime))
                {
                    File.Delete(file);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RetentionFailed(logger, ex);
        }
    }
}
