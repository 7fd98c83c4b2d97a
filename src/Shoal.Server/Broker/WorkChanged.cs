namespace Shoal.Server.Broker;

/// <summary>What changed, so that a listener does only the work it needs.</summary>
[Flags]
internal enum Change
{
    /// <summary>Parts may have become leasable: a submit, a release, a batch generated, another server's NOTIFY.</summary>
    PartsReady = 1,

    /// <summary>Reports were committed: jobs may have completed and their dependents become ready.</summary>
    PartsDone = 2,

    /// <summary>Jobs changed state by an operation (pause, resume, cancel, kill, priority, force, requeue).</summary>
    JobStates = 4,

    /// <summary>A job with a part generator was submitted.</summary>
    Generate = 8,
}

/// <summary>
/// The one wake signal. Every path that changes work raises it once with what changed; the waiting long polls and
/// in-process workers (<see cref="WorkSignal"/>), the spawned-agent dispatcher and the part generator listen.
/// No caller picks who to wake.
/// </summary>
internal sealed class WorkChanged(WorkSignal waiters)
{
    /// <summary>Raised after the waiters are woken, with the change and who raised it (a listener skips its own).</summary>
    public event Action<Change, object?>? Raised;

    public void Raise(Change change, object? from = null)
    {
        waiters.Notify();
        Raised?.Invoke(change, from);
    }
}
