namespace Shoal.Core.Config;

/// <summary>
/// Reads a FOSSology installation's configuration folder as <c>fo_scheduler</c> does: <c>fossology.conf</c>
/// (<c>[FOSSOLOGY] port</c> is the command port, <c>[HOSTS]</c>, <c>[SCHEDULER]</c> timers, <c>[DIRECTORIES] LOGDIR</c>)
/// and <c>mods-enabled/NAME/NAME.conf</c>: the folder is the agent's name (a <c>name=</c> key is ignored), its
/// command runs from <c>mods-enabled/NAME/agent/</c>, and it is started with <c>--config=</c> the folder, where
/// FOSSology's agent library finds <c>fossology.conf</c> and its <c>VERSION</c>. Loopback clients of the command port
/// need no token, as with FOSSology; the REST port is a free one (written to <c>server.url</c>).
/// </summary>
public static class FossologyTree
{
    public const string ConfFile = "fossology.conf";

    /// <summary>The scheduler's log in its log folder, as FOSSology names it.</summary>
    public const string LogFile = "fossology.log";

    /// <summary><c>[BUILD] COMMIT_HASH</c> of the folder's <c>VERSION</c> file, as fo_scheduler shows it; null without one.</summary>
    private static string? CommitHash(string root)
    {
        var file = Path.Combine(root, "VERSION");
        return File.Exists(file)
            ? IniDocument.Parse(file, File.ReadAllText(file)).In("BUILD").Where(e => e.Key == "COMMIT_HASH").Select(e => e.Value).LastOrDefault()
            : null;
    }

    /// <summary>FOSSology's <c>Db.conf</c>: <c>key=value;</c> pairs, one or more a line; null without the file.</summary>
    public static IReadOnlyDictionary<string, string>? ReadDbConf(string root)
    {
        var file = Path.Combine(root, "Db.conf");
        if (!File.Exists(file))
        {
            return null;
        }

        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lineNo = 0;
        foreach (var line in File.ReadAllLines(file))
        {
            lineNo++;
            foreach (var pair in line.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new ConfigException(file, lineNo, $"expected 'key=value;', got '{pair}'");
                }

                pairs[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
            }
        }

        return pairs.ContainsKey("dbname")
            ? pairs
            : throw new ConfigException(file, lineNo, "no 'dbname=' (FOSSology's Db.conf names its database, host, user and password)");
    }

    /// <summary>The configuration of <paramref name="dir"/>; Shoal's own store and state go to <paramref name="stateDir"/>.</summary>
    public static ShoalConfig Load(string dir, string stateDir)
    {
        var root = Path.GetFullPath(dir);
        var file = Path.Combine(root, ConfFile);
        if (!File.Exists(file))
        {
            throw new ConfigException(file, 0, "no such file: a FOSSology configuration folder holds fossology.conf (give it with -c or FO_SYSCONFDIR)");
        }

        var doc = IniDocument.Parse(file, File.ReadAllText(file)).ExpandVariables();
        // As fo_scheduler: a type that failed its start-up test stays invalid until a reload tests it again.
        var scheduler = new SchedulerOptions
        {
            Port = 0, CommandPortTrustLoopback = true, Fossology = true, Revision = CommitHash(root), SelfTestRetry = TimeSpan.FromDays(3650),
            // FOSSology fails the jobs of a type that failed its start-up test.
            FailJobsOfInvalidTypes = true,
            FossologyDatabase = ReadDbConf(root),
        };
        foreach (var e in doc.In("FOSSOLOGY").Where(e => e.Key == "port"))
        {
            scheduler = scheduler with { CommandPort = doc.Int(e, 1) };
        }

        TimeSpan? death = null;
        var interval = TimeSpan.FromSeconds(120);
        var updates = 5;
        foreach (var e in doc.In("SCHEDULER"))
        {
            switch (e.Key)
            {
                case "agent_death_timer": death = doc.Seconds(e); break;
                case "agent_update_interval": interval = doc.Seconds(e); break;
                case "agent_update_number": updates = doc.Int(e, 0); break;
                default: break; // fork_backoff_time, interface_nthreads: FOSSology's own tuning, nothing to do here.
            }
        }

        var logs = doc.In("DIRECTORIES").Where(e => e.Key == "LOGDIR").Select(e => Path.GetFullPath(Path.Combine(root, e.Value))).LastOrDefault();
        var mods = Path.Combine(root, "mods-enabled");
        var types = new Dictionary<string, AgentTypeConfig>(StringComparer.Ordinal);
        foreach (var folder in (Directory.Exists(mods) ? Directory.GetDirectories(mods) : []).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            var conf = Path.Combine(folder, name + ".conf");
            if (File.Exists(conf))
            {
                var type = AgentConfLoader.LoadFossology(conf, root);
                // FOSSology's watchdog: silent for agent_death_timer, or without progress for agent_update_number ticks.
                types[name] = type with
                {
                    HeartbeatTimeout = death ?? type.HeartbeatTimeout,
                    ProgressTimeout = interval * (updates + 1),
                };
            }
        }

        var hosts = ConfigLoader.ReadHosts(doc, root);
        return new ShoalConfig
        {
            File = file,
            Scheduler = scheduler,
            Store = StoreOptions.Default(stateDir),
            Hosts = hosts,
            // [REPOSITORY] host[] = TYPES FROM TO: which host holds which part of the repository, as affinity.
            Affinity = HostSections.ReadAffinity(doc, hosts, fossology: true),
            // [EMAILNOTIFY] header and footer files are named relative to the folder.
            Notify = NotifySections.Read(doc, p => Path.GetFullPath(Path.Combine(root, p)), fossology: true),
            StateDir = stateDir,
            LogDir = logs ?? Path.Combine(stateDir, "logs"),
            Log = logs is null ? null : Path.Combine(logs, LogFile),
            AgentsDir = mods,
            AgentTypes = types,
            Ssh = HostSections.ReadSsh(doc),
        };
    }
}
