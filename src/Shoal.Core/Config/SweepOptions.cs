namespace Shoal.Core.Config;

/// <summary>The <c>[SWEEP]</c> section: defaults of fleet sweeps and gap-fix runs.</summary>
public sealed record SweepOptions
{
    public int Threads { get; init; } = 64;

    /// <summary>Gap-fix's lighter concurrency; null is a quarter of <see cref="Threads"/>.</summary>
    public int? GapfixThreads { get; init; }

    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromHours(8);

    public TimeSpan HostTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The lock file a sweep holds for its whole run; null is <c>sweep.lock</c> in the state folder.</summary>
    public string? Lock { get; init; }

    /// <summary>The most collector output kept per host.</summary>
    public int OutputLimit { get; init; } = 64 * 1024;

    /// <summary>How long a zone's hosts wait for a collector of the zone before they are given up (not attempted, with the reason).</summary>
    public TimeSpan ZoneWait { get; init; } = TimeSpan.FromMinutes(1);

    public int GapfixThreadsOrDefault => GapfixThreads ?? Math.Max(1, Threads / 4);
}
