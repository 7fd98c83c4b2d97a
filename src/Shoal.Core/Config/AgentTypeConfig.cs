using Shoal.Core.Model;

namespace Shoal.Core.Config;

/// <summary>An agent type as configured in <c>agents/NAME.conf</c>.</summary>
public sealed record AgentTypeConfig
{
    public required string Name { get; init; }

    /// <summary>The command split into program and arguments (no shell); empty for pull types.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The folder of the conf file; a relative program path is resolved against it.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// What the agent is given as <c>--config=</c>: its own folder (null, Shoal's layout) or, in a FOSSology
    /// installation, the configuration folder that holds <c>fossology.conf</c>.
    /// </summary>
    public string? ConfigDir { get; init; }

    /// <summary>Maximum simultaneous agents (leased parts); -1 is unlimited, 0 holds the type.</summary>
    public int Max { get; init; } = -1;

    public AgentSpecial Special { get; init; }

    public AgentKind Kind { get; init; }

    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(300);

    public int Retries { get; init; } = 3;

    /// <summary>When a failed try is tried again (retry_delay, retry_backoff, retry_max_delay, retry_jitter).</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Immediate;

    public int Chunk { get; init; } = 1;

    /// <summary>Wall-clock limit for one chunk; null is none.</summary>
    public TimeSpan? Timeout { get; init; }

    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(180);

    public TimeSpan ProgressTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public OnPartFailure OnPartFailure { get; init; }

    /// <summary>With EXCLUSIVE: whether the job conflicts with everything or only with its own stream.</summary>
    public ExclusiveScope ExclusiveScope { get; init; }

    /// <summary>The program to start, resolved against <see cref="Directory"/> when relative.</summary>
    public string ResolvedProgram =>
        Command.Count == 0 ? "" :
        Command[0].Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(Command[0])
            ? Path.GetFullPath(Path.Combine(Directory, Command[0]))
            : Command[0];
}
