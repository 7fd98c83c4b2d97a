using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Shoal.Core.Config;
using Shoal.Server.Engine;

namespace Shoal.Server.Agents;

/// <summary>Starts agent processes on the scheduler's own machine and pumps their output into the dispatcher's queue.</summary>
internal sealed class LocalSpawner(ILogger<LocalSpawner> logger)
{
    public SpawnedAgent Start(int serial, string owner, AgentTypeConfig type, HostConfig host, DateTimeOffset now, ChannelWriter<EngineEvent> events)
    {
        var psi = new ProcessStartInfo(type.ResolvedProgram)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = type.Directory,
        };
        foreach (var arg in type.Command.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.ArgumentList.Add("--scheduler_start");
        psi.ArgumentList.Add($"--config={type.Directory}");
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {type.ResolvedProgram}");
        process.StandardInput.AutoFlush = false;
        var agent = new SpawnedAgent(serial, owner, type, host, process, now);
        _ = PumpAsync(agent, process, events);
        _ = DrainStderrAsync(agent, process);
        return agent;
    }

    private static async Task PumpAsync(SpawnedAgent agent, Process process, ChannelWriter<EngineEvent> events)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    await events.WriteAsync(new AgentLineEvent(agent, line)).ConfigureAwait(false);
                }
            }
        }
        catch (IOException)
        {
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        await events.WriteAsync(new AgentExitedEvent(agent, process.ExitCode)).ConfigureAwait(false);
    }

    private async Task DrainStderrAsync(SpawnedAgent agent, Process process)
    {
        try
        {
            while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                Log.AgentStderr(logger, agent.Type.Name, agent.Pid, line);
            }
        }
        catch (IOException)
        {
        }
    }
}
