using Shoal.Storage.Relational;

namespace Shoal.Storage.Sqlite;

/// <summary>A write waiting for its turn in a group commit (<see cref="SqliteStore"/>).</summary>
internal interface IGroupWrite
{
    /// <summary>Claims the write for a transaction; false when its caller gave up first.</summary>
    bool TryTake();

    /// <summary>Runs the write; the returned action hands out its result once the transaction has committed.</summary>
    Action Run(DbTx tx);

    void Fail(Exception ex);
}

/// <summary>One queued write and the task its caller awaits.</summary>
internal sealed class GroupWrite<T>(Func<DbTx, T> work) : IGroupWrite
{
    private const int Waiting = 0, Taken = 1, Cancelled = 2;
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    public Task<T> Done => _done.Task;

    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

    /// <summary>The caller gives up: true when no transaction has taken the write (it will never run).</summary>
    public bool TryCancel()
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) != Waiting)
        {
            return false;
        }

        _done.TrySetCanceled();
        return true;
    }

    public Action Run(DbTx tx)
    {
        var result = work(tx);
        return () => _done.TrySetResult(result);
    }

    public void Fail(Exception ex) => _done.TrySetException(ex);
}
