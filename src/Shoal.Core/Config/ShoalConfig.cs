namespace Shoal.Core.Config;

/// <summary>Everything read from <c>shoal.conf</c> and the agent confs.</summary>
public sealed record ShoalConfig
{
    public required string File { get; init; }

    public required SchedulerOptions Scheduler { get; init; }

    public required StoreOptions Store { get; init; }

    public required IReadOnlyList<HostConfig> Hosts { get; init; }

    public required string StateDir { get; init; }

    public required string LogDir { get; init; }

    /// <summary>The scheduler's log file, or <c>stdout</c>/<c>stderr</c> (<c>fo_scheduler -L</c>); null is <c>LogDir/shoal.log</c>.</summary>
    public string? Log { get; init; }

    /// <summary>Where the scheduler's log goes: <see cref="Log"/>, else <c>LogDir/shoal.log</c>.</summary>
    public string MainLog => Log ?? Path.Combine(LogDir, "shoal.log");

    /// <summary>Whether the scheduler's log is the console (<c>-L stdout</c> or <c>-L stderr</c>), not a file of its own.</summary>
    public bool LogsToConsole => Log is "stdout" or "stderr";

    public required string AgentsDir { get; init; }

    /// <summary><c>[DIRECTORIES] inputs</c>: the only folder host lists (<c>generate.file</c>) are read from; null turns them off.</summary>
    public string? InputsDir { get; init; }

    public required IReadOnlyDictionary<string, AgentTypeConfig> AgentTypes { get; init; }

    public SshOptions Ssh { get; init; } = new();

    public SweepOptions Sweep { get; init; } = new();

    public NotifyOptions Notify { get; init; } = new();

    public RetentionOptions Retention { get; init; } = new();

    public DashboardOptions Dashboard { get; init; } = new();

    public TelemetryOptions Telemetry { get; init; } = new();

    /// <summary>The sweep lock file.</summary>
    public string SweepLock => Sweep.Lock ?? Path.Combine(StateDir, "sweep.lock");

    /// <summary>Key ranges owned by hosts; empty means every host takes every key.</summary>
    public IReadOnlyList<AffinityRule> Affinity { get; init; } = [];
}
