namespace Shoal.Server.Pull;

/// <summary>
/// Wakes long-polling lease requests the moment work may have appeared (submit, force, resume, expiry,
/// a finished dependency). Waiters take <see cref="Next"/> before they look for work, so no signal is missed.
/// </summary>
internal sealed class WorkSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
