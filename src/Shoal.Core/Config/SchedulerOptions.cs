namespace Shoal.Core.Config;

/// <summary>The <c>[SCHEDULER]</c> section.</summary>
public sealed record SchedulerOptions
{
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>REST/dashboard port; 0 picks a free one (written to the state folder's <c>server.url</c>).</summary>
    public int Port { get; init; } = 24690;

    /// <summary>The command port; 0 picks a free one (written to the state folder's <c>command.port</c>).</summary>
    public int CommandPort { get; init; } = 24693;

    /// <summary><c>command_port_trust = 127.0.0.1</c>: loopback clients need no token on the command port.</summary>
    public bool CommandPortTrustLoopback { get; init; }

    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// The most a stream sent as NDJSON (<c>application/x-ndjson</c>, a line at a time; each line at most
    /// <see cref="MaxBodyBytes"/>) may hold in all: 256 MiB by default.
    /// </summary>
    public long MaxStreamBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Open connections the REST port takes at once (long-polling agents each hold one); more wait in the backlog.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Open connections the command port takes at once; one more is told so and closed.</summary>
    public int CommandPortMaxConnections { get; init; } = 64;

    /// <summary>
    /// <c>command_port_remote = yes</c>: the command port also takes clients that are not on loopback. Off by default:
    /// its first line is an admin token, and the port has no TLS.
    /// </summary>
    public bool CommandPortRemote { get; init; }

    /// <summary>A command-port connection that sends nothing for this long is closed (its first line: within 10 s).</summary>
    public TimeSpan CommandPortIdle { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A ready job's effective priority rises by one for each step it waits; null turns aging off.</summary>
    public TimeSpan? AgingStep { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long SIGTERM waits for running parts before the agents are stopped.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often lease expiry and job time-outs are checked.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The server that <c>shoal sweep</c> embeds when no server runs: it runs only the sweeps it starts — no agent types,
    /// none of the leader's duties (schedules, expiry, notification), and it is not recorded as a server of the queue.
    /// </summary>
    public bool SweepsOnly { get; init; }

    /// <summary>How long a job no live agent can take (tags none has, no pull agent asking, every host down) waits before its stream is stuck.</summary>
    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A pull agent no server has heard from this long is lost: shown so, and its leases are released at once (not at
    /// their deadlines). Its agents are told to heartbeat at a quarter of it.
    /// </summary>
    public TimeSpan AgentLostAfter { get; init; } = TimeSpan.FromMinutes(2);

    public string NodeName { get; init; } = Environment.MachineName;

    /// <summary>HTTPS: the server certificate (PEM, or PKCS#12 when no key is given).</summary>
    public string? TlsCert { get; init; }

    /// <summary>HTTPS: the PEM private key of <see cref="TlsCert"/>.</summary>
    public string? TlsKey { get; init; }

    /// <summary>Between SIGTERM and SIGKILL when an agent is stopped.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive agent start failures after which a host is marked down.</summary>
    public int HostDownAfter { get; init; } = 3;

    /// <summary>How long a host stays down before agents are tried there again.</summary>
    public TimeSpan HostDownFor { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an agent type that failed its self-test on a host waits before the test is run again.</summary>
    public TimeSpan SelfTestRetry { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether the ready jobs of a type no host can run (its self-test failed everywhere) fail at once, with
    /// FOSSology's message, or wait for a later self-test to pass (the default).
    /// </summary>
    public bool FailJobsOfInvalidTypes { get; init; }

    /// <summary>
    /// Run as FOSSology's scheduler (<c>shoal fo-scheduler</c>): the command port's <c>status</c> names the command
    /// port and the installation's <c>COMMIT_HASH</c> (<see cref="Revision"/>), as <c>fo_scheduler</c> does.
    /// </summary>
    public bool Fossology { get; init; }

    /// <summary>The revision <c>status</c> shows; null for Shoal's own version.</summary>
    public string? Revision { get; init; }

    /// <summary>The scheduler's verbosity at start (<c>fo_scheduler --verbose=N</c>; the command port's <c>verbose</c> changes it).</summary>
    public int Verbose { get; init; } = 1;

    /// <summary>Whether the server runs detached (<c>fo_scheduler -d</c>); <c>status</c> shows it as <c>daemon:1</c>.</summary>
    public bool Daemon { get; init; }

    /// <summary><c>fo_scheduler -t</c>: run every agent type's self-test, then stop.</summary>
    public bool ExitAfterSelfTests { get; init; }

    /// <summary>
    /// FOSSology's <c>Db.conf</c> (its <c>key=value;</c> pairs: dbname, host, port, user, password): Shoal works
    /// FOSSology's own job queue in that database. Null without one.
    /// </summary>
    public IReadOnlyDictionary<string, string>? FossologyDatabase { get; init; }

    /// <summary><c>fo_scheduler -R</c>: rows another scheduler left 'Started' (none of Shoal's) run again.</summary>
    public bool FossologyReset { get; init; }
}
