namespace Shoal.Core.Config;

/// <summary><c>[RETENTION]</c>: how long finished work and results are kept.</summary>
public sealed record RetentionOptions
{
    /// <summary>Finished streams (with their jobs and parts), host results and job logs older than this are purged.</summary>
    public TimeSpan Keep { get; init; } = TimeSpan.FromDays(30);

    /// <summary>At most this many results are kept per host (the newest).</summary>
    public int ResultsPerHost { get; init; } = 100;

    /// <summary>How often the purge runs.</summary>
    public TimeSpan Every { get; init; } = TimeSpan.FromHours(1);
}
