namespace Shoal.Server.Spawned;

/// <summary>Where a spawned agent is in the protocol.</summary>
internal enum AgentPhase
{
    /// <summary>Started; its first line must be <c>VERSION:</c>.</summary>
    Starting,

    /// <summary>Sent its version; waiting for the first <c>OK</c>.</summary>
    Connecting,

    /// <summary>Said <c>OK</c>: ready for a chunk.</summary>
    Idle,

    /// <summary>Holds a chunk; the next <c>OK</c> means it is done.</summary>
    Busy,

    /// <summary>Sent <c>CLOSE</c>; waiting for <c>BYE</c> and exit.</summary>
    Closing,

    Exited,
}
