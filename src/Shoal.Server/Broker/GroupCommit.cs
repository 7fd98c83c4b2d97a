using System.Collections.Concurrent;

namespace Shoal.Server.Broker;

/// <summary>
/// Group commit without a thread of its own: callers queue their items, and whoever gets the turn commits everything
/// queued so far (its own items among them) in one call; the others find theirs done when their turn comes. Alone,
/// a caller commits at once on its own thread (SQLite's calls are synchronous: no hop at all); under load, what
/// arrived while one commit ran goes into the next, in arrival order.
/// </summary>
/// <typeparam name="TIn">What callers hand in (a lease request, a report).</typeparam>
/// <typeparam name="TOut">What each item gets back, in the same order.</typeparam>
internal sealed class GroupCommit<TIn, TOut>(
    int maxBatch,
    Func<IReadOnlyList<TIn>, IReadOnlyList<object?>, Task<IReadOnlyList<TOut>>> commit,
    Action<Exception> failed) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly ConcurrentQueue<Batch> _queue = new();

    /// <summary>
    /// Commits <paramref name="items"/> (together, with whatever else is queued) and returns their results in order.
    /// <paramref name="from"/> names the caller to <paramref name="commit"/>, per item.
    /// </summary>
    public async Task<IReadOnlyList<TOut>> RunAsync(IReadOnlyList<TIn> items, object? from, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var mine = new Batch(items, from);
        _queue.Enqueue(mine);
        while (!mine.Done.Task.IsCompleted)
        {
            await _turn.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (!mine.Done.Task.IsCompleted)
                {
                    await CommitQueuedAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _turn.Release();
            }
        }

        return await mine.Done.Task.ConfigureAwait(false);
    }

    public void Dispose() => _turn.Dispose();

    private async Task CommitQueuedAsync()
    {
        var taken = new List<Batch>();
        for (var n = 0; n < maxBatch && _queue.TryDequeue(out var next); n += next.Items.Count)
        {
            taken.Add(next);
        }

        try
        {
            var results = await commit(taken.SelectMany(b => b.Items).ToList(), taken.Select(b => b.From).ToList()).ConfigureAwait(false);
            var at = 0;
            foreach (var b in taken)
            {
                b.Done.TrySetResult(results.Skip(at).Take(b.Items.Count).ToList());
                at += b.Items.Count;
            }
        }
        catch (Exception ex)
        {
            // Every caller of the batch gets the error; the turn passes on and the next batch is tried.
            failed(ex);
            taken.ForEach(b => b.Done.TrySetException(ex));
        }
    }

    private sealed class Batch(IReadOnlyList<TIn> items, object? from)
    {
        public IReadOnlyList<TIn> Items { get; } = items;

        public object? From { get; } = from;

        public TaskCompletionSource<IReadOnlyList<TOut>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
