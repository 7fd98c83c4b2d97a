using System.Globalization;
using Shoal.Core.Model;

namespace Shoal.Storage.Relational;

/// <summary>
/// The states as SQL literals, written once from the enums: no statement spells a state number by hand.
/// (Statements are built once, at class load; the values are integers, never input.)
/// </summary>
internal static class StateSql
{
    public static readonly string PartReady = Of(PartState.Ready);
    public static readonly string PartLeased = Of(PartState.Leased);
    public static readonly string PartDone = Of(PartState.Done);
    public static readonly string PartFailed = Of(PartState.Failed);
    public static readonly string PartRetrying = Of(PartState.Retrying);

    /// <summary>A part not finished yet: ready, leased, or waiting for its retry time.</summary>
    public static readonly string PartOpen = In(PartState.Ready, PartState.Leased, PartState.Retrying);

    public static readonly string JobBlocked = Of(JobState.Blocked);
    public static readonly string JobReady = Of(JobState.Ready);
    public static readonly string JobRunning = Of(JobState.Running);
    public static readonly string JobPaused = Of(JobState.Paused);
    public static readonly string JobCompleted = Of(JobState.Completed);
    public static readonly string JobFailed = Of(JobState.Failed);
    public static readonly string JobCancelled = Of(JobState.Cancelled);

    /// <summary>A job that may lease: ready or running.</summary>
    public static readonly string JobRunnable = In(JobState.Ready, JobState.Running);

    /// <summary>A job that has not started to end: blocked, ready or running (not paused, not ended).</summary>
    public static readonly string JobPausable = In(JobState.Blocked, JobState.Ready, JobState.Running);

    /// <summary>A job that has ended: completed, failed or cancelled.</summary>
    public static readonly string JobEnded = In(JobState.Completed, JobState.Failed, JobState.Cancelled);

    public static readonly string StreamQueued = Of(StreamState.Queued);
    public static readonly string StreamRunning = Of(StreamState.Running);
    public static readonly string StreamPaused = Of(StreamState.Paused);
    public static readonly string StreamCancelled = Of(StreamState.Cancelled);

    /// <summary>A stream whose jobs may run: queued or running.</summary>
    public static readonly string StreamLive = In(StreamState.Queued, StreamState.Running);

    /// <summary>A stream that has ended: completed, failed or cancelled.</summary>
    public static readonly string StreamEnded = In(StreamState.Completed, StreamState.Failed, StreamState.Cancelled);

    private static string Of<T>(T state)
        where T : struct, Enum => Convert.ToInt32(state, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);

    private static string In<T>(params T[] states)
        where T : struct, Enum => "(" + string.Join(", ", states.Select(Of)) + ")";
}
