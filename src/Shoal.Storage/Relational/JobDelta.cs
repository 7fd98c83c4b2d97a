namespace Shoal.Storage.Relational;

/// <summary>Changes to one job's part counters gathered over a batch, applied in one statement.</summary>
internal sealed class JobDelta
{
    public int Parts;
    public int Ready;
    public int Leased;
    public int Done;
    public int Failed;
    public int Retrying;

    /// <summary>Set when a part failed for good and the job's rule is fail-job.</summary>
    public string? FailReason;
}
