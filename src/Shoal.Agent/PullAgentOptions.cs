namespace Shoal.Agent;

/// <summary>What the generic pull agent runs and how hard it works.</summary>
public sealed record PullAgentOptions
{
    public required IReadOnlyList<string> Types { get; init; }

    /// <summary>The command, one word per element; <c>{payload}</c> in any word is replaced by the part's payload.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Run <see cref="Command"/> (joined) with <c>/bin/sh -c</c>, the payload single-quoted.</summary>
    public bool Shell { get; init; }

    /// <summary>The word in <see cref="Command"/> replaced by the part's payload.</summary>
    public string Placeholder { get; init; } = "{payload}";

    /// <summary>A part's command is killed after this long (none: it runs as long as its lease is kept).</summary>
    public TimeSpan? PartTimeout { get; init; }

    public int Concurrency { get; init; } = 4;

    /// <summary>How long one lease request waits for work.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The most output kept per stream (stdout into the result, stderr into the log).</summary>
    public int OutputLimit { get; init; } = 64 * 1024;

    /// <summary>Called with one line per finished part (for progress output).</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>
    /// Called with what an operator should see whatever the verbosity: the server unreachable (once, until it answers
    /// again), a report kept for later, reports given up on when stopping.
    /// </summary>
    public Action<string>? Notice { get; init; }

    /// <summary>
    /// Once told to stop, how long reports that cannot be delivered (the server unreachable) are still retried; then
    /// they are given up (their parts are run again when their leases end on the server).
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);
}
