namespace Shoal.Core.Model;

/// <summary>Stream states; the numbers are stored, never renumber them.</summary>
public enum StreamState
{
    Queued = 0,
    Running = 1,
    Paused = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}
