using System.Globalization;
using Shoal.Core.CommandPort;
using Shoal.Core.Model;
using Shoal.Server.Spawned;
using Shoal.Server.Hosting;
using Shoal.Server.Operations;
using Shoal.Storage;

namespace Shoal.Server.CommandPort;

/// <summary>The command port's commands, with FOSSology's replies (docs/command-port.md).</summary>
internal sealed class CommandHandler(
    IQueueStore store,
    ConfigHolder config,
    Dispatcher dispatcher,
    JobOperations operations,
    ClusterMember cluster,
    Logging.Verbosity verbosity,
    Fossology.FossologyJobIds fossology)
{
    /// <summary>Answers one line; false when the connection is to be closed.</summary>
    public async Task<bool> HandleAsync(string line, TextWriter output, CancellationToken ct)
    {
        var c = PortCommand.Parse(line);
        if (c is null || !Known.Contains(c.Name))
        {
            await output.WriteLineAsync($"Invalid command: \"{line}\"").ConfigureAwait(false);
            return true;
        }

        if (c.BadNumber is { } bad)
        {
            await output.WriteLineAsync($"Invalid command: \"{line}\" ({bad} is not a number Shoal knows: too large)").ConfigureAwait(false);
            return true;
        }

        // The command is carried out before "received" is written, so a client that reads it sees its effect.
        using var w = new StringWriter { NewLine = "\n" };
        var keepOpen = await RunAsync(c, line, w, ct).ConfigureAwait(false);
        await output.WriteAsync("received\n" + w).ConfigureAwait(false);
        if (!keepOpen && c.Name is "stop" or "die")
        {
            if (c.Name == "die")
            {
                operations.Die();
            }
            else
            {
                operations.Stop();
            }
        }

        return keepOpen;
    }

    private async Task<bool> RunAsync(PortCommand c, string line, StringWriter w, CancellationToken ct)
    {
        switch (c.Name)
        {
            case "close":
                await w.WriteLineAsync("CLOSE").ConfigureAwait(false);
                return false;
            case "stop":
            case "die":
                await w.WriteLineAsync("CLOSE").ConfigureAwait(false);
                return false;
            case "pause" when c.First is { } job:
                await ReportAsync(w, job, await operations.PauseJobAsync(fossology.JobOf(job), ct).ConfigureAwait(false), $"Invalid pause command: \"{line}\"").ConfigureAwait(false);
                break;
            case "restart" when c.First is { } job:
                await ReportAsync(w, job, await operations.ResumeJobAsync(fossology.JobOf(job), ct).ConfigureAwait(false), $"ERROR: Invalid restart command: {line}").ConfigureAwait(false);
                break;
            case "kill" when c.First is { } job && c.Text is { } message:
                await ReportAsync(w, job, await operations.KillJobAsync(fossology.JobOf(job), message, ct).ConfigureAwait(false), $"Invalid kill command: \"{line}\"").ConfigureAwait(false);
                break;
            case "priority" when c.First is { } job && c.Second is { } level and >= int.MinValue and <= int.MaxValue:
                await ReportAsync(w, job, await operations.SetPriorityAsync(fossology.JobOf(job), (int)level, ct).ConfigureAwait(false), $"ERROR: Invalid priority command: {line}").ConfigureAwait(false);
                break;
            case "verbose" when c.First is null:
                await w.WriteLineAsync(verbosity.Level < 8
                    ? $"level: {verbosity.Level}"
                    : "mask:       h d i e s a j\nmask: " + string.Concat(Enumerable.Range(0, 16).Select(b => ((verbosity.Level >> b) & 1) == 1 ? "1 " : "0 "))).ConfigureAwait(false);
                break;
            case "verbose" when c.Second is { } level:
                operations.Verbose(fossology.JobOf(c.First!.Value).Value, (int)level);
                break;
            case "verbose" when c.First is { } level and >= 0 and <= 65535:
                operations.Verbose(null, (int)level);
                break;
            case "agents":
                var valid = config.Current.AgentTypes.Keys.Where(t => !dispatcher.InvalidTypes.ContainsKey(t)).Order(StringComparer.Ordinal);
                await w.WriteLineAsync(string.Concat(valid.Select(t => t + " "))).ConfigureAwait(false);
                await w.WriteLineAsync("end").ConfigureAwait(false);
                break;
            case "load":
                foreach (var h in config.Current.Hosts.OrderBy(h => h.Name, StringComparer.Ordinal))
                {
                    var running = dispatcher.Agents.Count(a => a.Host == h.Name && !a.Suspended);
                    await w.WriteLineAsync($"host:{h.Name} address:{h.Address} max:{h.Max} running:{running}").ConfigureAwait(false);
                }

                // Pull agents have no host of the configuration: one line counts those holding leases (cluster-wide).
                var pull = await store.CountLeasesByOwnerAsync(Broker.PullAgentRoster.OwnerPrefix, ct).ConfigureAwait(false);
                if (pull.Count > 0 || config.Current.AgentTypes.Values.Any(t => t.Kind == Core.Model.AgentKind.Pull))
                {
                    await w.WriteLineAsync($"host:pull-agents address:rest max:-1 running:{pull.Count}").ConfigureAwait(false);
                }

                await w.WriteLineAsync("\nend").ConfigureAwait(false);
                break;
            case "status" when c.First is { } job:
                await JobStatusAsync(w, job, ct).ConfigureAwait(false);
                break;
            case "status":
                await StatusAsync(w, ct).ConfigureAwait(false);
                break;
            case "reload":
                if (operations.Reload() is { } error)
                {
                    await w.WriteLineAsync($"ERROR: reload failed, the old configuration stays: {error}").ConfigureAwait(false);
                }

                break;
            case "database":
                operations.Poll();
                break;
            default:
                await w.WriteLineAsync($"Invalid {c.Name} command: \"{line}\"").ConfigureAwait(false);
                break;
        }

        return true;
    }

    private static readonly HashSet<string> Known =
        ["close", "stop", "die", "pause", "restart", "kill", "agents", "load", "reload", "status", "verbose", "priority", "database"];

    private static async Task ReportAsync(StringWriter w, long job, ControlOutcome outcome, string invalid)
    {
        if (outcome == ControlOutcome.NotFound)
        {
            await w.WriteLineAsync($"ERROR: invalid job id = {job}").ConfigureAwait(false);
        }
        else if (outcome == ControlOutcome.InvalidState)
        {
            await w.WriteLineAsync(invalid).ConfigureAwait(false);
        }
    }

    private async Task StatusAsync(StringWriter w, CancellationToken ct)
    {
        var cfg = config.Current;
        var live = new List<JobView>();
        // Only the live streams are read (not the newest thousand of every state): finished ones can be many.
        foreach (var state in new[] { StreamState.Queued, StreamState.Running, StreamState.Paused })
        {
            foreach (var s in await store.ListStreamsAsync(state, null, null, 10_000, ct).ConfigureAwait(false))
            {
                if (await store.GetStreamAsync(s.Id, ct).ConfigureAwait(false) is { } d)
                {
                    live.AddRange(d.Jobs.Where(j => !j.State.IsTerminal()));
                }
            }
        }

        var version = cfg.Scheduler.Revision ?? typeof(CommandHandler).Assembly.GetName().Version?.ToString() ?? "0";
        // As FOSSology's scheduler, the port is the command port; Shoal's own server names its REST port.
        var port = cfg.Scheduler.Fossology ? cfg.Scheduler.CommandPort : Uri.TryCreate(cluster.Url, UriKind.Absolute, out var url) ? url.Port : cfg.Scheduler.Port;
        // FOSSology counts its start-up tests as jobs (negative ids) until they end: "jobs:0" means they are over.
        var tests = dispatcher.SelfTests;
        await w.WriteLineAsync($"scheduler:{Environment.ProcessId} revision:{version} daemon:{(cfg.Scheduler.Daemon ? 1 : 0)} jobs:{live.Count + tests.Count} log:{cfg.MainLog} port:{port} verbose:{verbosity.Level}").ConfigureAwait(false);
        for (var i = 0; i < tests.Count; i++)
        {
            await w.WriteLineAsync($"job:{i - tests.Count} status:JOB_STARTED type:{tests[i].Type}, priority:0 running:1 finished:0 failed:0").ConfigureAwait(false);
        }

        var pull = await store.CountLeaseHoldersByJobAsync(Broker.PullAgentRoster.OwnerPrefix, ct).ConfigureAwait(false);
        foreach (var j in live.OrderBy(j => j.Id.Value))
        {
            await w.WriteLineAsync(JobLine(j, pull)).ConfigureAwait(false);
        }

        await w.WriteAsync(End).ConfigureAwait(false);
    }

    /// <summary>FOSSology ends a status reply with <c>end\n</c> and the C string's NUL byte; fo_cli and its UI expect it.</summary>
    private const string End = "end\n\0";

    private async Task JobStatusAsync(StringWriter w, long id, CancellationToken ct)
    {
        if (await store.GetJobAsync(fossology.JobOf(id), ct).ConfigureAwait(false) is not { } job)
        {
            await w.WriteLineAsync($"ERROR: invalid job id = {id}").ConfigureAwait(false);
            await w.WriteAsync(End).ConfigureAwait(false);
            return;
        }

        await w.WriteLineAsync(JobLine(job, await store.CountLeaseHoldersByJobAsync(Broker.PullAgentRoster.OwnerPrefix, ct).ConfigureAwait(false))).ConfigureAwait(false);
        foreach (var a in dispatcher.Agents.Where(a => a.Job == job.Id.Value))
        {
            await w.WriteLineAsync($"agent:{a.Pid} host:{a.Host} type:{a.Type} status:{AgentState(a)} time:{a.LastHeard.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}").ConfigureAwait(false);
        }

        await w.WriteAsync(End).ConfigureAwait(false);
    }

    /// <summary>
    /// FOSSology's job line: its <c>JOB_</c> state, the comma after the type, and its agents that are running (spawned
    /// ones, and pull agents holding its leases), ended and failed.
    /// </summary>
    private string JobLine(JobView j, IReadOnlyDictionary<JobId, int> pullHolders)
    {
        var (finished, failed) = dispatcher.AgentEndsOf(j.Id.Value);
        var running = dispatcher.Agents.Count(a => a.Job == j.Id.Value) + pullHolders.GetValueOrDefault(j.Id);
        return $"job:{fossology.Shown(j.Id)} status:{JobState(j.State)} type:{j.Type}, priority:{j.Priority} running:{running} finished:{finished} failed:{failed}";
    }

    private static string JobState(JobState state) => state switch
    {
        Core.Model.JobState.Blocked => "JOB_NOT_AVAILABLE",
        Core.Model.JobState.Ready => "JOB_CHECKEDOUT",
        Core.Model.JobState.Running => "JOB_STARTED",
        Core.Model.JobState.Paused => "JOB_PAUSED",
        Core.Model.JobState.Completed => "JOB_COMPLETE",
        _ => "JOB_FAILED",
    };

    private static string AgentState(Contracts.AgentDto a) => a.Suspended ? "AGENT_PAUSED" : a.Phase switch
    {
        "starting" or "connecting" => "AGENT_SPAWNED",
        "idle" => "AGENT_PAUSED",
        "busy" => "AGENT_RUNNING",
        _ => "AGENT_CLOSED",
    };
}
