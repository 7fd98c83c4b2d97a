namespace Shoal.Storage;

/// <summary>
/// Whether the store takes writes: the cause of the last write that failed for a reason of the store's own (a full
/// disk, a read-only or unreachable database). It stays reported until a write succeeds with no failure for
/// <see cref="Settle"/> (on a nearly full disk small writes may pass while large ones fail: the state does not flap).
/// Shown by <c>/health</c> and the metrics.
/// </summary>
public sealed class StoreHealth
{
    /// <summary>How long writes must go without a failure before the store is reported healthy again.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    private volatile string? _error;
    private long _failures;
    private long _failedAt;

    /// <summary>Why writes fail now, or null while they succeed.</summary>
    public string? Error => _error;

    /// <summary>Writes that failed for a reason of the store's own since it was opened.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    internal void Succeeded()
    {
        // Monotonic time: how long ago the last failure was, whatever the wall clock does.
        if (_error is not null && System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _failedAt)) >= Settle)
        {
            _error = null;
        }
    }

    internal void Failed(string cause)
    {
        Interlocked.Exchange(ref _failedAt, System.Diagnostics.Stopwatch.GetTimestamp());
        _error = cause;
        Interlocked.Increment(ref _failures);
    }
}

/// <summary>
/// A write that the store cannot take for a reason of its own, not the caller's: a full disk, a read-only or
/// corrupt file, a database that stays unreachable. The API answers it with 503 and its cause.
/// </summary>
public sealed class StoreUnavailableException(string cause, Exception inner) : Exception($"the store cannot write: {cause}", inner)
{
    public string Cause { get; } = cause;
}
