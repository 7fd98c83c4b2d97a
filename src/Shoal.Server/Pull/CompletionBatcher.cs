using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Storage;

namespace Shoal.Server.Pull;

/// <summary>
/// Group commit for reports arriving over REST: whatever arrived while the previous transaction ran is
/// committed in the next one, and each request gets its own outcome.
/// </summary>
internal sealed class CompletionBatcher(IShoalStore store, TimeProvider time, Broker.WorkChanged changes, Metrics.ShoalMetrics metrics, ILogger<CompletionBatcher> logger) : BackgroundService
{
    private readonly Channel<(PartReport Report, TaskCompletionSource<ReportOutcome> Done)> _queue =
        Channel.CreateBounded<(PartReport, TaskCompletionSource<ReportOutcome>)>(new BoundedChannelOptions(100_000) { SingleReader = true });

    public async Task<ReportOutcome> CompleteAsync(PartReport report, CancellationToken ct)
    {
        var done = new TaskCompletionSource<ReportOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((report, done), ct).ConfigureAwait(false);
        return await done.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(PartReport Report, TaskCompletionSource<ReportOutcome> Done)>();
        while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            while (batch.Count < 1024 && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                var started = time.GetTimestamp();
                var outcomes = await store.CompleteAsync(batch.Select(b => b.Report).ToList(), time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                metrics.CommitSeconds.Observe(time.GetElapsedTime(started).TotalSeconds);
                for (var i = 0; i < batch.Count; i++)
                {
                    metrics.PartsReported.WithLabels(batch[i].Report.Outcome == PartOutcome.Ok ? "ok" : "failed").Inc();
                    batch[i].Done.TrySetResult(outcomes[i]);
                }

                changes.Raise(Broker.Change.PartsDone);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ReportBatchFailed(logger, ex);
                batch.ForEach(b => b.Done.TrySetException(ex));
            }

            batch.Clear();
        }
    }
}
