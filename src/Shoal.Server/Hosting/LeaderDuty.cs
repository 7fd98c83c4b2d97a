using Microsoft.Extensions.Hosting;

namespace Shoal.Server.Hosting;

/// <summary>
/// A duty of the cluster's leader, run at every tick (<c>tick_seconds</c>) while this server leads, so that the cluster
/// does it once. A failed run is handed to <see cref="Failed"/> (logged) and the next tick tries again.
/// </summary>
internal abstract class LeaderDuty(ConfigHolder config, TimeProvider time, ClusterMember cluster) : BackgroundService
{
    protected ConfigHolder Config { get; } = config;

    protected TimeProvider Time { get; } = time;

    protected ClusterMember Cluster { get; } = cluster;

    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected abstract void Failed(Exception ex);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Config.Current.Scheduler.TickInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!Cluster.IsLeader)
                {
                    continue;
                }

                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Failed(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
