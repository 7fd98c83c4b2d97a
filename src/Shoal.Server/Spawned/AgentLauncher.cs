using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Shoal.Core.Config;
using Shoal.Server.Spawned;
using Shoal.Server.Hosting;

namespace Shoal.Server.Spawned;

/// <summary>
/// Starts agent processes: locally in their own session (so a signal reaches the whole process group),
/// or on a remote host through the system ssh client, the protocol running over the remote command's
/// stdin and stdout. Reader tasks pump each agent's output into the dispatcher's queue.
/// </summary>
internal sealed class AgentLauncher(ConfigHolder config, Logging.JobLogs jobLogs, ILogger<AgentLauncher> logger)
{
    // No password prompts, no pseudo-terminal: an unreachable host fails within seconds.
    private static readonly string[] SshBaseOptions = ["-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"];

    private static readonly bool HaveSetsid = File.Exists("/usr/bin/setsid");

    public SpawnedAgent Start(AgentStart start, ChannelWriter<EngineEvent> events)
    {
        var psi = start.Host.IsLocal ? Local(start) : Remote(start);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var agent = new SpawnedAgent(start, process, this);
        var stderr = DrainStderrAsync(agent, process);
        _ = PumpAsync(agent, process, stderr, events);
        return agent;
    }

    /// <summary>Sends a signal to a remote agent's process group with a separate ssh call (fire and forget).</summary>
    /// <summary>
    /// The remote shell command that signals process group <paramref name="pid"/>: <c>kill -s NAME -- -PID</c>, the form
    /// both bash and dash (Debian's /bin/sh) accept (dash refuses <c>kill -NAME -- -PID</c>).
    /// </summary>
    public static string RemoteKill(int pid, int signal) => $"kill -s {Signals.Name(signal)} -- -{pid.ToString(CultureInfo.InvariantCulture)}";

    public void SignalRemote(HostConfig host, int remotePid, int signal)
    {
        var psi = SshCommand(host, RemoteKill(remotePid, signal));
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        try
        {
            var p = Process.Start(psi);
            _ = p?.WaitForExitAsync().ContinueWith(_ => p.Dispose(), TaskScheduler.Default);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Log.SpawnFailed(logger, "ssh", ex.Message);
        }
    }

    /// <summary>The agent's arguments after its own: FOSSology's <c>--scheduler_start --jobId --config --userID --groupID</c>.</summary>
    public static IEnumerable<string> SchedulerArguments(AgentStart start, string configDir) =>
    [
        "--scheduler_start",
        "--jobId=" + (start.Stream?.Value ?? 0).ToString(CultureInfo.InvariantCulture),
        "--config=" + configDir,
        "--userID=0",
        "--groupID=0",
    ];

    private static ProcessStartInfo Local(AgentStart start)
    {
        var type = start.Type;
        var psi = new ProcessStartInfo(HaveSetsid ? "/usr/bin/setsid" : type.ResolvedProgram) { WorkingDirectory = type.Directory };
        if (HaveSetsid)
        {
            psi.ArgumentList.Add(type.ResolvedProgram);
        }

        foreach (var arg in type.Command.Skip(1).Concat(SchedulerArguments(start, type.ConfigDir ?? type.Directory)))
        {
            psi.ArgumentList.Add(arg);
        }

        return psi;
    }

    private ProcessStartInfo Remote(AgentStart start)
    {
        var type = start.Type;
        var program = RemotePath(type.ResolvedProgram, start.Host);
        var words = new[] { program }.Concat(type.Command.Skip(1)).Concat(SchedulerArguments(start, start.Host.ConfDir));

        // The remote shell is the session leader; it prints its pid (reserved '@' line) and becomes the agent.
        var remote = "echo @PID $$; cd " + Quote(Path.GetDirectoryName(program) ?? "/") + " 2>/dev/null; exec " + string.Join(' ', words.Select(Quote));
        return SshCommand(start.Host, remote);
    }

    private ProcessStartInfo SshCommand(HostConfig host, string remoteCommand)
    {
        var ssh = config.Current.Ssh;
        var psi = new ProcessStartInfo(ssh.Program);
        foreach (var arg in SshBaseOptions.Concat(ssh.Options))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.ArgumentList.Add(host.Address.Contains('@', StringComparison.Ordinal) || ssh.User is null ? host.Address : $"{ssh.User}@{host.Address}");
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add(remoteCommand);
        return psi;
    }

    /// <summary>A program under the local agents folder lives under the host's confdir on a remote host.</summary>
    private string RemotePath(string program, HostConfig host)
    {
        var agents = config.Current.AgentsDir;
        var relative = Path.GetRelativePath(agents, program);
        return Path.IsPathRooted(program) && !relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative)
            ? Path.Combine(host.ConfDir, relative)
            : program;
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task PumpAsync(SpawnedAgent agent, Process process, Task stderr, ChannelWriter<EngineEvent> events)
    {
        try
        {
            var lines = new CappedLineReader(process.StandardOutput, CappedLineReader.MaxLine);
            // The lines of one read are told to the dispatcher together, after every GETSPECIAL among them is
            // answered: an agent that wrote "OK" and "GETSPECIAL" gets its VALUE before the chunk the OK leases.
            var heard = new List<Core.Protocol.AgentMessage>();
            while (await lines.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (lines.Dropped > 0)
                {
                    Log.AgentLineCut(logger, agent.Type.Name, agent.Pid, "stdout", lines.Dropped);
                }

                if (line.Length > 0)
                {
                    var message = Core.Protocol.AgentMessage.Parse(line);
                    if (agent.Specials.Take(message) is { } value)
                    {
                        await agent.SendAsync(value, CancellationToken.None).ConfigureAwait(false);
                    }

                    heard.Add(message);
                }

                if (!lines.HasBufferedLine)
                {
                    foreach (var message in heard)
                    {
                        await events.WriteAsync(new AgentLineEvent(agent, message)).ConfigureAwait(false);
                    }

                    heard.Clear();
                }
            }

            foreach (var message in heard)
            {
                await events.WriteAsync(new AgentLineEvent(agent, message)).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        // Its last words are read before its death is told (a child that keeps stderr open is not waited for long).
        await Task.WhenAny(stderr, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        await events.WriteAsync(new AgentExitedEvent(agent, process.ExitCode)).ConfigureAwait(false);
    }

    private async Task DrainStderrAsync(SpawnedAgent agent, Process process)
    {
        try
        {
            var lines = new CappedLineReader(process.StandardError, CappedLineReader.MaxLine);
            while (await lines.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (lines.Dropped > 0)
                {
                    Log.AgentLineCut(logger, agent.Type.Name, agent.Pid, "stderr", lines.Dropped);
                }

                agent.NoteStderr(line);
                if (agent.Job is { } job)
                {
                    jobLogs.Append(job.Value, agent.Type.Name, agent.Pid, line);
                }
                else
                {
                    Log.AgentStderr(logger, agent.Type.Name, agent.Pid, line);
                }
            }
        }
        catch (IOException)
        {
        }
    }
}
