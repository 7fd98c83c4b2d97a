namespace Shoal.Core.Config;

/// <summary>Reads <c>shoal.conf</c> and the agent confs it points at. Relative paths are relative to the conf file.</summary>
public static class ConfigLoader
{

    public static ShoalConfig Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ConfigException(path, 0, "no such file");
        }

        var doc = IniDocument.Parse(path, File.ReadAllText(full));
        var baseDir = Path.GetDirectoryName(full)!;
        foreach (var (section, line) in doc.Sections)
        {
            if (section.ToUpperInvariant() is not ("SCHEDULER" or "STORE" or "HOSTS" or "DIRECTORIES" or "SSH" or "AFFINITY" or "SWEEP" or "EMAILNOTIFY" or "NOTIFY" or "RETENTION" or "DASHBOARD" or "TELEMETRY"))
            {
                throw new ConfigException(path, line, $"unknown section [{section}]");
            }
        }

        string Resolve(string p) => Path.GetFullPath(Path.Combine(baseDir, p));
        var scheduler = ReadScheduler(doc);
        scheduler = scheduler with
        {
            TlsCert = scheduler.TlsCert is null ? null : Resolve(scheduler.TlsCert),
            TlsKey = scheduler.TlsKey is null ? null : Resolve(scheduler.TlsKey),
        };
        if (scheduler.TlsCert is { } certFile && !File.Exists(certFile))
        {
            var e = doc.In("SCHEDULER").First(x => x.Key == "tls_cert");
            throw doc.Error(e, $"tls_cert: no such file '{certFile}'");
        }
        var state = Resolve(".shoal");
        var agents = Resolve("agents");
        string? logs = null;
        string? inputs = null;
        foreach (var e in doc.In("DIRECTORIES"))
        {
            switch (e.Key)
            {
                case "inputs": inputs = Resolve(e.Value); break;
                case "state": state = Resolve(e.Value); break;
                case "logdir": logs = Resolve(e.Value); break;
                case "agents": agents = Resolve(e.Value); break;
                default: throw doc.UnknownKey(e);
            }
        }

        var store = StoreOptions.Default(state);
        foreach (var e in doc.In("STORE"))
        {
            store = e.Key switch
            {
                "sqlite" => store with { SqlitePath = Resolve(e.Value) },
                "synchronous" => store with { Synchronous = doc.Enum(e, ("full", SqliteSync.Full), ("normal", SqliteSync.Normal)) },
                "postgres" when e.Value.Length == 0 => throw doc.Error(e, "postgres needs a connection string, e.g. Host=db;Username=shoal;Password=...;Database=shoal"),
                "postgres" => store with { Postgres = e.Value },
                _ => throw doc.UnknownKey(e),
            };
        }

        var hosts = ReadHosts(doc, agents);
        var types = AgentConfLoader.LoadAll(agents);
        return new ShoalConfig
        {
            File = full,
            Scheduler = scheduler,
            Store = store,
            Hosts = hosts,
            StateDir = state,
            LogDir = logs ?? Path.Combine(state, "logs"),
            AgentsDir = agents,
            InputsDir = inputs,
            AgentTypes = types,
            Ssh = HostSections.ReadSsh(doc),
            Sweep = ReadSweep(doc, Resolve),
            Notify = NotifySections.Read(doc, Resolve),
            Retention = ReadRetention(doc),
            Dashboard = ReadDashboard(doc),
            Telemetry = ReadTelemetry(doc),
            Affinity = HostSections.ReadAffinity(doc, hosts),
        };
    }

    private static SchedulerOptions ReadScheduler(IniDocument doc)
    {
        var s = new SchedulerOptions();
        foreach (var e in doc.In("SCHEDULER"))
        {
            s = e.Key switch
            {
                "address" => s with { Address = e.Value },
                "port" => s with { Port = Port(doc, e) },
                "command_port" => s with { CommandPort = Port(doc, e) },
                "command_port_trust" => s with
                {
                    CommandPortTrustLoopback = e.Value is "127.0.0.1" or "localhost" or "::1"
                        ? true
                        : e.Value is "" or "none" ? false : throw doc.Error(e, $"'command_port_trust' may only be a loopback address (127.0.0.1), got '{e.Value}'"),
                },
                "max_body_bytes" => s with { MaxBodyBytes = doc.Long(e, 1024) },
                "max_stream_bytes" => s with { MaxStreamBytes = doc.Long(e, 1024) },
                "max_connections" => s with { MaxConnections = doc.Int(e, 1) },
                "command_port_max_connections" => s with { CommandPortMaxConnections = doc.Int(e, 1) },
                "command_port_idle" => s with { CommandPortIdle = doc.Seconds(e) },
                "command_port_remote" => s with { CommandPortRemote = doc.Enum(e, ("yes", true), ("no", false), ("true", true), ("false", false)) },
                "aging_seconds" => s with { AgingStep = e.Value == "0" ? null : doc.Seconds(e) },
                "shutdown_grace" => s with { ShutdownGrace = doc.Seconds(e) },
                "tick_seconds" => s with { TickInterval = doc.Seconds(e) },
                "stuck_seconds" => s with { StuckAfter = doc.Seconds(e) },
                "agent_lost_seconds" => s with { AgentLostAfter = TimeSpan.FromSeconds(doc.Number(e, 2, 86_400)) },
                "name" => s with { NodeName = e.Value },
                "tls_cert" => s with { TlsCert = e.Value },
                "tls_key" => s with { TlsKey = e.Value },
                "kill_grace" => s with { KillGrace = doc.Seconds(e) },
                "host_down_after" => s with { HostDownAfter = doc.Int(e, 1) },
                "host_down_seconds" => s with { HostDownFor = doc.Seconds(e) },
                "selftest_retry_seconds" => s with { SelfTestRetry = doc.Seconds(e) },
                "invalid_type_jobs" => s with { FailJobsOfInvalidTypes = doc.Enum(e, ("wait", false), ("fail", true)) },
                _ => throw doc.UnknownKey(e),
            };
        }

        return s;
    }

    private static SweepOptions ReadSweep(IniDocument doc, Func<string, string> resolve)
    {
        var s = new SweepOptions();
        foreach (var e in doc.In("SWEEP"))
        {
            s = e.Key switch
            {
                "threads" => s with { Threads = doc.Int(e, 1) },
                "gapfix_threads" => s with { GapfixThreads = doc.Int(e, 1) },
                "time_limit" => s with { TimeLimit = doc.Seconds(e) },
                "host_timeout" => s with { HostTimeout = doc.Seconds(e) },
                "zone_wait" => s with { ZoneWait = doc.Seconds(e) },
                "lock" => s with { Lock = resolve(e.Value) },
                "output_limit" => s with { OutputLimit = doc.Int(e, 0) },
                _ => throw doc.UnknownKey(e),
            };
        }

        return s;
    }

    private static RetentionOptions ReadRetention(IniDocument doc)
    {
        var r = new RetentionOptions();
        foreach (var e in doc.In("RETENTION"))
        {
            r = e.Key switch
            {
                "days" => r with { Keep = TimeSpan.FromDays(doc.Int(e, 1)) },
                "results_per_host" => r with { ResultsPerHost = doc.Int(e, 1) },
                "every_seconds" => r with { Every = doc.Seconds(e) },
                _ => throw doc.UnknownKey(e),
            };
        }

        return r;
    }

    private static DashboardOptions ReadDashboard(IniDocument doc)
    {
        var d = new DashboardOptions();
        foreach (var e in doc.In("DASHBOARD"))
        {
            d = e.Key switch
            {
                "public" => d with { Public = doc.Enum(e, ("yes", true), ("no", false), ("true", true), ("false", false)) },
                "session_hours" => d with { Session = TimeSpan.FromHours(doc.Int(e, 1)) },
                _ => throw doc.UnknownKey(e),
            };
        }

        return d;
    }

    private static TelemetryOptions ReadTelemetry(IniDocument doc)
    {
        var t = new TelemetryOptions();
        foreach (var e in doc.In("TELEMETRY"))
        {
            t = e.Key switch
            {
                "otlp_endpoint" => t with
                {
                    OtlpEndpoint = Uri.TryCreate(e.Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                        ? uri
                        : throw doc.Error(e, $"'otlp_endpoint' must be an http or https URL, e.g. http://collector:4318/v1/traces, got '{e.Value}'"),
                },
                "otlp_protocol" => t with { OtlpGrpc = doc.Enum(e, ("http", false), ("grpc", true)) },
                _ => throw doc.UnknownKey(e),
            };
        }

        return t;
    }

    private static int Port(IniDocument doc, IniEntry e)
    {
        var port = doc.Int(e, 0);
        return port <= 65535 ? port : throw doc.Error(e, $"'{e.Key}' must be a port number (0-65535), got '{e.Value}'");
    }

    internal static List<HostConfig> ReadHosts(IniDocument doc, string agentsDir)
    {
        var hosts = new List<HostConfig>();
        foreach (var e in doc.In("HOSTS"))
        {
            var words = e.Value.Split(' ', '\t').Where(w => w.Length > 0).ToArray();
            if (words.Length != 3)
            {
                throw doc.Error(e, $"host '{e.Key}' must be 'name = address confdir max', got '{e.Value}'");
            }

            var max = doc.Int(e with { Key = "max", Value = words[2] }, 0);
            var confDir = words[1] == "AGENT_DIR" ? agentsDir : words[1];
            if (hosts.Any(h => h.Name == e.Key))
            {
                throw doc.Error(e, $"host '{e.Key}' is defined twice");
            }

            hosts.Add(new HostConfig(e.Key, words[0], confDir, max));
        }

        if (hosts.Count == 0)
        {
            hosts.Add(new HostConfig("localhost", "localhost", agentsDir, Math.Max(4, Environment.ProcessorCount * 4)));
        }

        return hosts;
    }
}
