using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Contracts;
using Shoal.Storage;

namespace Shoal.Server.Dashboard;

/// <summary>
/// Reads the store's counts every second: the overview the dashboard shows, with parts finished per second over the
/// last 10 minutes (10-second buckets). Each new overview goes to every open event stream (<c>GET /api/v1/events</c>).
/// </summary>
internal sealed class OverviewFeed(
    IQueueStore store, TimeProvider time, Hosting.ConfigHolder config, Hosting.ClusterMember cluster, Broker.PullAgentRoster roster, ILogger<OverviewFeed> logger)
    : BackgroundService
{
    /// <summary>Live views of a public dashboard (no sign-in) at once: each holds a connection for as long as it is open.</summary>
    public const int MaxViewers = 256;

    private const int Buckets = 60;
    private int _viewers;

    /// <summary>Counts one more viewer without a sign-in; false (and nothing counted) when there are <see cref="MaxViewers"/> already.</summary>
    public bool TryAddViewer()
    {
        if (Interlocked.Increment(ref _viewers) <= MaxViewers)
        {
            return true;
        }

        Interlocked.Decrement(ref _viewers);
        return false;
    }

    public void RemoveViewer() => Interlocked.Decrement(ref _viewers);

    private static readonly TimeSpan Bucket = TimeSpan.FromSeconds(10);

    // How often to look again, not a deadline: real time even under a test clock.
    private static readonly TimeProvider Cadence = TimeProvider.System;
    private readonly Queue<RatePoint> _rates = new();
    private readonly MinuteHistory _history = new();
    private TaskCompletionSource<OverviewDto> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (DateTimeOffset At, long Finished)? _bucketStart;

    /// <summary>The newest overview (null until the first read).</summary>
    public OverviewDto? Current { get; private set; }

    /// <summary>Completes with the next overview.</summary>
    public Task<OverviewDto> Next => Volatile.Read(ref _next).Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var overview = await ReadAsync(stoppingToken).ConfigureAwait(false);
                Current = overview;
                Interlocked.Exchange(ref _next, new TaskCompletionSource<OverviewDto>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(overview);
                await Task.Delay(TimeSpan.FromSeconds(1), Cadence, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.OverviewFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), Cadence, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<OverviewDto> ReadAsync(CancellationToken ct)
    {
        var counts = await store.CountsAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var finished = counts.Done + counts.Failed;
        var history = _history.Add(now, counts.Done, counts.Failed);
        lock (_rates)
        {
            if (_bucketStart is not { } start || finished < start.Finished)
            {
                _bucketStart = (now, finished);
            }
            else if (now - start.At >= Bucket)
            {
                _rates.Enqueue(new RatePoint(now, (finished - start.Finished) / (now - start.At).TotalSeconds));
                while (_rates.Count > Buckets)
                {
                    _rates.Dequeue();
                }

                _bucketStart = (now, finished);
            }
        }

        // This server's agents as they are now, the other live servers' as they last recorded them.
        var name = config.Current.Scheduler.NodeName;
        var servers = await Api.JobEndpoints.ServersAsync(store, time, ct).ConfigureAwait(false);
        var all = cluster.Agents.Concat(servers.Where(s => s.Name != name).SelectMany(s => s.Agents)).ToList();
        var pull = await Api.JobEndpoints.PullAgentsAsync(roster, config, store, ct).ConfigureAwait(false);
        List<RatePoint> rates;
        lock (_rates)
        {
            rates = [.. _rates];

            // The bucket still filling shows as the newest point once it has two seconds in it.
            if (_bucketStart is { } open && now - open.At >= TimeSpan.FromSeconds(2))
            {
                rates.Add(new RatePoint(now, (finished - open.Finished) / (now - open.At).TotalSeconds));
            }
        }

        return new OverviewDto(
            now,
            counts.Streams,
            counts.Jobs,
            new PartTotalsDto(counts.Ready, counts.Leased, counts.Done, counts.Failed, counts.Retrying),
            all.Count(a => a.Phase == "busy" && !a.Suspended) + pull.Count(p => p.State == "busy"),
            all.Count(a => a.Phase != "busy" || a.Suspended) + pull.Count(p => p.State == "idle"),
            rates,
            pull.Count(p => p.State == "lost"),
            counts.Stuck,
            history);
    }
}
