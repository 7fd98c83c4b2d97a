using Shoal.Core.Model;

namespace Shoal.Core.Config;

/// <summary>Reads <c>agents/NAME.conf</c> or <c>agents/NAME/NAME.conf</c> files (INI, <c>[default]</c>).</summary>
public static class AgentConfLoader
{
    public static Dictionary<string, AgentTypeConfig> LoadAll(string agentsDir)
    {
        var types = new Dictionary<string, AgentTypeConfig>(StringComparer.Ordinal);
        if (!System.IO.Directory.Exists(agentsDir))
        {
            return types;
        }

        var files = System.IO.Directory.GetFiles(agentsDir, "*.conf")
            .Concat(System.IO.Directory.GetDirectories(agentsDir)
                .Select(d => Path.Combine(d, Path.GetFileName(d) + ".conf"))
                .Where(File.Exists))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var type = Load(file);
            if (!types.TryAdd(type.Name, type))
            {
                throw new ConfigException(file, 1, $"agent type '{type.Name}' is defined twice");
            }
        }

        return types;
    }

    /// <summary>
    /// An agent conf of a FOSSology installation (<c>mods-enabled/NAME/NAME.conf</c>): the folder is the name (a
    /// <c>name=</c> key is ignored, as are keys FOSSology does not know), the command runs from
    /// <c>mods-enabled/NAME/agent/</c>, and the agent is given <paramref name="configDir"/> as <c>--config=</c>.
    /// </summary>
    public static AgentTypeConfig LoadFossology(string file, string configDir)
    {
        var agentDir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "agent");
        var type = Load(file, fossology: true);
        var program = Path.IsPathRooted(type.Command[0]) ? type.Command[0] : Path.Combine(agentDir, type.Command[0]);
        return type with { Directory = agentDir, Command = [program, .. type.Command.Skip(1)], ConfigDir = configDir };
    }

    public static AgentTypeConfig Load(string file) => Load(file, fossology: false);

    private static AgentTypeConfig Load(string file, bool fossology)
    {
        var doc = IniDocument.Parse(file, File.ReadAllText(file));
        var name = Path.GetFileNameWithoutExtension(file);
        if (name == BuiltInTypes.Sweep)
        {
            throw new ConfigException(file, 1, $"'{BuiltInTypes.Sweep}' is the built-in type of fleet sweeps; choose another name");
        }

        foreach (var (section, line) in doc.Sections)
        {
            if (!string.Equals(section, "default", StringComparison.OrdinalIgnoreCase))
            {
                throw new ConfigException(file, line, $"unknown section [{section}] (agent confs have [default])");
            }
        }

        var type = new AgentTypeConfig { Name = name, Command = [], Directory = Path.GetDirectoryName(Path.GetFullPath(file))! };
        var failureSet = false;
        IniEntry? commandEntry = null;
        IniEntry? retryTuning = null;
        IniEntry? maxDelay = null;
        foreach (var e in doc.In("default"))
        {
            type = e.Key switch
            {
                "command" => type with { Command = SplitCommand(doc, e) },
                "max" => type with { Max = doc.Int(e, -1) },
                "special[]" or "special" => type with { Special = type.Special | ParseSpecial(doc, e) },
                "kind" => type with { Kind = doc.Enum(e, ("spawned", AgentKind.Spawned), ("pull", AgentKind.Pull)) },
                "lease" => type with { Lease = doc.Seconds(e) },
                "retries" => type with { Retries = doc.Int(e, 0) },
                "retry_delay" => type with { Retry = type.Retry with { Delay = doc.Seconds(e) } },
                "retry_backoff" => type with { Retry = type.Retry with { Backoff = doc.Number(e, 1, 100) } },
                "retry_max_delay" => type with { Retry = type.Retry with { MaxDelay = doc.Seconds(e) } },
                "retry_jitter" => type with { Retry = type.Retry with { Jitter = doc.Number(e, 0, 1) } },
                "chunk" => type with { Chunk = doc.Int(e, 1) },
                "timeout" => type with { Timeout = doc.Seconds(e) },
                "heartbeat_timeout" => type with { HeartbeatTimeout = doc.Seconds(e) },
                "progress_timeout" => type with { ProgressTimeout = doc.Seconds(e) },
                "on_part_failure" => type with
                {
                    OnPartFailure = doc.Enum(e, ("fail-job", OnPartFailure.FailJob), ("continue", OnPartFailure.Continue)),
                },
                "exclusive_scope" => type with { ExclusiveScope = doc.Enum(e, ("all", ExclusiveScope.All), ("stream", ExclusiveScope.Stream)) },
                _ when fossology => type, // FOSSology reads command, max and special[] only (name= too is ignored)
                _ => throw doc.UnknownKey(e),
            };
            failureSet |= e.Key == "on_part_failure";
            commandEntry = e.Key == "command" ? e : commandEntry;
            retryTuning = e.Key is "retry_backoff" or "retry_max_delay" or "retry_jitter" ? e : retryTuning;
            maxDelay = e.Key == "retry_max_delay" ? e : maxDelay;
        }

        if (retryTuning is not null && type.Retry.IsImmediate)
        {
            throw doc.Error(retryTuning, $"'{retryTuning.Key}' needs 'retry_delay' (the wait before the first retry)");
        }

        if (type.Retry.MaxDelay is { } most && most < type.Retry.Delay)
        {
            throw doc.Error(maxDelay!, $"'retry_max_delay' ({most.TotalSeconds:0.###} s) is shorter than 'retry_delay' ({type.Retry.Delay.TotalSeconds:0.###} s)");
        }

        if (!failureSet && type.Kind == AgentKind.Pull)
        {
            type = type with { OnPartFailure = OnPartFailure.Continue };
        }

        if (type.Kind == AgentKind.Spawned && type.Command.Count == 0)
        {
            throw new ConfigException(file, commandEntry?.Line ?? 1, "a spawned agent type needs a 'command'");
        }

        return type;
    }

    private static IReadOnlyList<string> SplitCommand(IniDocument doc, IniEntry e)
    {
        var words = CommandLineSplitter.Split(e.Value, out var error);
        if (error is not null || words.Count == 0)
        {
            throw doc.Error(e, error ?? "'command' is empty");
        }

        return words;
    }

    private static AgentSpecial ParseSpecial(IniDocument doc, IniEntry e)
    {
        var result = AgentSpecial.None;
        foreach (var word in e.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            result |= word.ToUpperInvariant() switch
            {
                "EXCLUSIVE" => AgentSpecial.Exclusive,
                "NOEMAIL" => AgentSpecial.NoEmail,
                "LOCAL" => AgentSpecial.Local,
                "NOKILL" => AgentSpecial.NoKill,
                _ => throw doc.Error(e, $"unknown special flag '{word}' (EXCLUSIVE, NOEMAIL, LOCAL, NOKILL)"),
            };
        }

        return result;
    }
}
