using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Storage;

namespace Shoal.Server.Pull;

/// <summary>
/// Group commit for lease requests arriving over REST: the requests that arrived while the previous
/// transaction ran are served, in arrival order, by the next one (<see cref="IShoalStore.LeaseManyAsync"/>).
/// One transaction for many agents keeps the job's counters from being a row every agent waits on.
/// </summary>
internal sealed class LeaseBatcher(IShoalStore store, ILogger<LeaseBatcher> logger) : BackgroundService
{
    private readonly Channel<(LeaseRequest Request, TaskCompletionSource<IReadOnlyList<LeasedPart>> Done)> _queue =
        Channel.CreateBounded<(LeaseRequest, TaskCompletionSource<IReadOnlyList<LeasedPart>>)>(new BoundedChannelOptions(10_000) { SingleReader = true });

    public async Task<IReadOnlyList<LeasedPart>> LeaseAsync(LeaseRequest request, CancellationToken ct)
    {
        var done = new TaskCompletionSource<IReadOnlyList<LeasedPart>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((request, done), ct).ConfigureAwait(false);
        return await done.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(LeaseRequest Request, TaskCompletionSource<IReadOnlyList<LeasedPart>> Done)>();
        while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
        {
            while (batch.Count < 256 && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                var leased = await store.LeaseManyAsync(batch.Select(b => b.Request).ToList(), stoppingToken).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(leased[i]);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.LeaseBatchFailed(logger, ex);
                batch.ForEach(b => b.Done.TrySetException(ex));
            }

            batch.Clear();
        }
    }
}
