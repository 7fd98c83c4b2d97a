namespace Shoal.Core.Model;

/// <summary>Job states; the numbers are stored, never renumber them.</summary>
public enum JobState
{
    Blocked = 0,
    Ready = 1,
    Running = 2,
    Paused = 3,
    Completed = 4,
    Failed = 5,
    Cancelled = 6,
}
