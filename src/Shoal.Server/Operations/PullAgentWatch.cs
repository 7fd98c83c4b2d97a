using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Server.Broker;
using Shoal.Server.Hosting;

namespace Shoal.Server.Operations;

/// <summary>
/// At every tick, records in the store when the pull agents this server heard from last called it; and, on the leader,
/// releases at once the leases of the agents no server has heard from for <c>agent_lost_seconds</c>.
/// </summary>
internal sealed class PullAgentWatch(
    WorkBroker broker, PullAgentRoster roster, ConfigHolder config, ClusterMember cluster, TimeProvider time, ILogger<PullAgentWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(config.Current.Scheduler.TickInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.PullAgentWatchFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        var seen = roster.TakeSeen();
        try
        {
            await broker.RecordAgentsSeenAsync(seen, config.Current.Scheduler.NodeName, ct).ConfigureAwait(false);
        }
        catch
        {
            roster.NotRecorded(seen);
            throw;
        }

        if (cluster.IsLeader)
        {
            await broker.ReleaseLostAgentsAsync(config.Current.Scheduler.AgentLostAfter, ct).ConfigureAwait(false);
        }
    }
}
