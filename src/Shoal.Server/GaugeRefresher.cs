using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shoal.Server.Hosting;
using Shoal.Server.Metrics;
using Shoal.Server.Spawned;
using Shoal.Storage;

namespace Shoal.Server;

/// <summary>
/// Composition, not a Metrics file (it reads from the broker, the dispatcher and the API's pull roster). Reads what the gauges show (queue depth from the store, agents from the dispatcher and the pull roster, the store's
/// health) into <see cref="ShoalMetrics.Snapshot"/>: before every <c>/metrics</c> scrape, and — when metrics go out over
/// OTLP, which nobody scrapes — every 15 seconds.
/// </summary>
internal sealed class GaugeRefresher(IServiceProvider services, ShoalMetrics metrics, ConfigHolder config, TimeProvider time) : BackgroundService
{
    private static readonly string[] AgentPhases = ["starting", "connecting", "idle", "busy", "closing"];
    private static readonly string[] PullAgentStates = ["busy", "idle", "lost"];
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    /// <summary>Reads the gauges; while the store fails, its reads keep their last values and <c>store_up</c> says 0.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var store = services.GetRequiredService<IQueueStore>();
        var last = metrics.Snapshot;
        var (depth, pullStates) = (last.QueueDepth, last.PullAgents);
        try
        {
            var demand = await store.GetDemandAsync(time.GetUtcNow(), config.Current.Scheduler.AgingStep, null, ct).ConfigureAwait(false);
            depth = demand.GroupBy(d => d.Type).ToDictionary(g => g.Key, g => (long)g.Sum(d => d.Ready));
            var pull = await Api.JobEndpoints.PullAgentsAsync(services.GetRequiredService<Broker.PullAgentRoster>(), config, store, ct).ConfigureAwait(false);
            pullStates = PullAgentStates.ToDictionary(st => st, st => (long)pull.Count(p => p.State == st));
        }
        catch (Exception ex) when (ex is not OperationCanceledException && store.Health.Error is not null)
        {
            // The store is down: store_up says so.
        }

        var agents = services.GetRequiredService<Dispatcher>().Agents;
        var byPhase = AgentPhases.ToDictionary(p => p, p => (long)agents.Count(a => a.Phase == p && !a.Suspended));
        byPhase["suspended"] = agents.Count(a => a.Suspended);
        metrics.Snapshot = new GaugeSnapshot(depth, byPhase, pullStates, services.GetRequiredService<Broker.WorkSignal>().Waiting, store.Health.Error is null, store.Health.Failures);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(Every, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Whatever failed (a read the store's health does not explain) is tried again at the next turn.
                await Task.Delay(Every, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
