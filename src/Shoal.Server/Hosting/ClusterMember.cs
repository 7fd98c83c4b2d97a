using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Contracts;
using Shoal.Storage;

namespace Shoal.Server.Hosting;

/// <summary>
/// This server as a member of the cluster: every second it takes or keeps the leadership (the server that
/// runs lease expiry, job timeouts, schedules, retention and notifications) and records itself, with its
/// agents, in the store's server list. With SQLite there is one server and it always leads.
/// </summary>
internal sealed class ClusterMember(
    IQueueStore store,
    ConfigHolder config,
    ClusterClock time,
    Broker.WorkChanged changes,
    ServerFailure failure,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<ClusterMember> logger)
    : BackgroundService
{
    private bool _recorded;

    /// <summary>How often leadership is tried and the server recorded; a dead leader is replaced within about this.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>A server not heard from for this long is shown as lost.</summary>
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(10);

    // How often to look again, not a deadline: real time even under a test clock.
    private static readonly TimeProvider Cadence = TimeProvider.System;
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private volatile bool _leader;
    private bool _skewed;

    public bool IsLeader => _leader;

    /// <summary>The URL this server answers on (set once it listens).</summary>
    public string Url { get; set; } = "";

    public string Name => config.Current.Scheduler.NodeName;

    /// <summary>This server's spawned agents, as the dispatcher last published them: recorded with the server.</summary>
    public IReadOnlyList<AgentDto> Agents { get; set; } = [];

    /// <summary>Takes the leadership if it is free; called once before the server starts its duties.</summary>
    public async Task JoinAsync(CancellationToken ct)
    {
        await MeasureClockAsync(ct).ConfigureAwait(false);
        if (config.Current.Scheduler.SweepsOnly)
        {
            return;
        }

        _leader = await store.TryLeadAsync(ct).ConfigureAwait(false);
        if (_leader)
        {
            Log.Leadership(logger, Name, "took");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && !config.Current.Scheduler.SweepsOnly)
        {
            try
            {
                await MeasureClockAsync(stoppingToken).ConfigureAwait(false);
                var lead = await store.TryLeadAsync(stoppingToken).ConfigureAwait(false);
                if (lead != _leader)
                {
                    _leader = lead;
                    Log.Leadership(logger, Name, lead ? "took" : "lost");
                    if (lead)
                    {
                        changes.Raise(Broker.Change.PartsReady); // the leader's duties start now
                    }
                }

                await RecordAsync(stoppingToken).ConfigureAwait(false);
                _recorded = true;
                await Task.Delay(Interval, Cadence, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StoreUnavailableException ex) when (!_recorded)
            {
                // A server whose store takes no write from the start (a full disk) has not started: it says why and stops.
                Log.StoreUnavailable(logger, ex.Cause);
                failure.Set(ex.Message);
                lifetime.StopApplication();
                return;
            }
            catch (StoreUnavailableException ex)
            {
                // /health and the metrics show it; one line, no stack: it is the store's state, not a bug.
                Log.StoreUnavailable(logger, ex.Cause);
                await Task.Delay(Interval, Cadence, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception ex)
            {
                Log.ClusterRecordFailed(logger, ex);
                await Task.Delay(Interval, Cadence, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _leader = false;
        if (config.Current.Scheduler.SweepsOnly)
        {
            return;
        }

        try
        {
            await RecordAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ClusterRecordFailed(logger, ex);
        }
    }

    private Task RecordAsync(CancellationToken ct)
    {
        var agents = Agents;
        return store.RecordServerAsync(
            new ServerRecord(Name, Url, _started, time.GetUtcNow(), _leader, JsonSerializer.Serialize(agents, ShoalJson.Options), (long)time.Offset.TotalMilliseconds), ct);
    }

    /// <summary>
    /// Reads the database's clock (PostgreSQL) against this machine's and keeps the offset in <see cref="ClusterClock"/>;
    /// a skew over <see cref="ClusterClock.SkewWarning"/> is logged when it appears and when it goes.
    /// </summary>
    private async Task MeasureClockAsync(CancellationToken ct)
    {
        var sent = Cadence.GetUtcNow();
        if (await store.DatabaseNowAsync(ct).ConfigureAwait(false) is not { } database || !time.Measure(sent, database, Cadence.GetUtcNow()))
        {
            return;
        }

        if (time.Skewed != _skewed)
        {
            _skewed = time.Skewed;
            Log.ClockSkew(logger, Name, time.Offset.TotalSeconds, _skewed ? "is" : "is no longer");
        }
    }
}
