namespace Shoal.Core.Model;

/// <summary>Part states; the numbers are stored, never renumber them.</summary>
public enum PartState
{
    Ready = 0,
    Leased = 1,
    Done = 2,
    Failed = 3,

    /// <summary>Failed a try; ready again at its retry time (the type's retry_delay and backoff).</summary>
    Retrying = 4,
}
