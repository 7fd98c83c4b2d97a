using System.Globalization;
using Shoal.Core.Config;
using Shoal.Core.Protocol;
using Shoal.Server.Agents;
using Shoal.Storage;

namespace Shoal.Server.Engine;

internal sealed partial class Dispatcher
{
    private async Task OnLineAsync(SpawnedAgent agent, AgentMessage msg, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        agent.LastHeard = now;
        var first = agent.LinesHeard++ == 0;
        if (msg.Kind == AgentMessageKind.Reserved)
        {
            // Only the ssh wrapper's first line names the remote pid that pause and cancel signal: a later "@PID 1"
            // from the agent itself would aim them at every process of the ssh user.
            if (first && !agent.Host.IsLocal && msg.Text.StartsWith("@PID ", StringComparison.Ordinal)
                && int.TryParse(msg.Text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var remote) && remote > 1)
            {
                agent.RemotePid = remote;
            }
            else
            {
                Log.AgentOutput(_logger, agent.Type.Name, agent.Pid, msg.Text);
            }

            return;
        }

        if (agent.Phase == AgentPhase.Starting)
        {
            OnFirstLine(agent, msg, now);
            return;
        }

        switch (msg.Kind)
        {
            case AgentMessageKind.Ok when agent.Phase == AgentPhase.Busy:
                agent.LastProgress = now;
                for (var i = 0; i < agent.Chunk.Count; i++)
                {
                    var part = agent.Chunk[i];
                    var items = i == 0 && agent.Items.Count > 0 ? agent.Items.ToList() : null;
                    _reports.Add(new PartReport(part.PartId, part.LeaseId, agent.Owner, PartOutcome.Ok, Items: items));
                }

                agent.Chunk.Clear();
                agent.Items.Clear();
                agent.Phase = AgentPhase.Idle;
                break;
            case AgentMessageKind.Ok when agent.Phase == AgentPhase.Connecting:
                agent.LastProgress = now;
                agent.Phase = AgentPhase.Idle;
                _startups++;
                _startupTotal += now - agent.StartedAt;
                break;
            case AgentMessageKind.Heart:
                agent.ItemsProcessed = msg.Number;
                if (msg.Flag == 1)
                {
                    agent.LastProgress = now;
                }

                break;
            case AgentMessageKind.Special:
                var mask = (AgentSpecial)msg.Number;
                agent.Special = msg.Flag == 1 ? agent.Special | mask : agent.Special & ~mask;
                break;
            case AgentMessageKind.GetSpecial:
                var on = ((long)agent.Special & msg.Number) != 0;
                await agent.SendAsync(on ? "VALUE: 1\n" : "VALUE: 0\n", ct).ConfigureAwait(false);
                break;
            case AgentMessageKind.Bye:
                agent.ByeCode = msg.Number;
                break;
            case AgentMessageKind.Email when agent.Job is { } emailJob:
                // FOSSology's job message: the last one an agent of the job sent goes into the completion email.
                await _store.SetJobMessageAsync(emailJob, msg.Text, ct).ConfigureAwait(false);
                break;
            case AgentMessageKind.Item when agent.Phase == AgentPhase.Busy:
                agent.Items.Add(msg.Text);
                break;
            default:
                if (agent.Job is { } job)
                {
                    _jobLogs.Append(job.Value, agent.Type.Name, agent.Pid, msg.Text);
                }

                Log.AgentOutput(_logger, agent.Type.Name, agent.Pid, msg.Text);
                break;
        }
    }

    /// <summary>The first line must be <c>VERSION:</c>; the first agent of a type fixes the type's version.</summary>
    private void OnFirstLine(SpawnedAgent agent, AgentMessage msg, DateTimeOffset now)
    {
        var type = agent.Type.Name;
        if (msg.Kind != AgentMessageKind.Version)
        {
            var reason = $"agent didn't send version information: \"{msg.Text}\"";
            _health.Fail(type, agent.Host.Name, reason, now + _config.Current.Scheduler.SelfTestRetry);
            Log.TypeInvalid(_logger, type, reason);
            agent.Phase = AgentPhase.Closing;
            StopAgent(agent, reason, now);
            return;
        }

        agent.Version = msg.Text;
        agent.Phase = AgentPhase.Connecting;
        _health.StartSucceeded(agent.Host.Name);
        if (!_health.CheckVersion(type, msg.Text, out var first))
        {
            if (agent.IsSelfTest)
            {
                _health.Fail(type, agent.Host.Name, $"versions don't match: '{first}' then '{msg.Text}'", now + _config.Current.Scheduler.SelfTestRetry);
                StopAgent(agent, $"versions don't match: '{first}' then '{msg.Text}'", now);
                return;
            }

            // A newer agent was installed: adopt its version and replace this agent (it holds nothing yet).
            _health.AdoptVersion(type, msg.Text);
            StopAgent(agent, $"version changed from '{first}' to '{msg.Text}': replaced", now);
        }
    }

    private void OnExited(SpawnedAgent agent, int exitCode)
    {
        var now = _time.GetUtcNow();
        agent.ExitCode = exitCode;
        _agents.Remove(agent);
        _spawnCheck = true;
        var neverConnected = agent.Phase == AgentPhase.Starting;
        var clean = agent.ByeCode == 0 && agent.StopReason is null && agent.Chunk.Count == 0;
        agent.Phase = AgentPhase.Exited;
        var reason = agent.StopReason
            ?? (agent.ByeCode is { } bye && bye != 0 ? $"agent failed with error code {bye}"
            : neverConnected ? $"agent exited with code {exitCode} before sending its version"
            : $"agent exited with code {exitCode} without BYE 0");
        if (agent.StopReason is null && !clean && agent.StderrTail() is { } said)
        {
            // What the agent said before it died is the reason an operator needs ("unable to open system configuration").
            reason += $"; its stderr: {said}";
        }

        if (neverConnected && agent.StopReason is null)
        {
            Log.AgentDiedBeforeVersion(_logger, agent.Type.Name, agent.Host.Name, agent.Pid, exitCode, agent.StderrTail() ?? "(nothing)");
        }

        var retry = now + _config.Current.Scheduler.SelfTestRetry;
        if (neverConnected && agent.StopReason is null)
        {
            var s = _config.Current.Scheduler;
            _health.StartFailed(agent.Host.Name, s.HostDownAfter, s.HostDownFor, now);
        }

        if (agent.IsSelfTest)
        {
            if (clean)
            {
                _health.Pass(agent.Type.Name, agent.Host.Name);
            }
            else
            {
                _health.FailIfTesting(agent.Type.Name, agent.Host.Name, reason, retry);
            }
        }
        else if (!clean)
        {
            Log.AgentFailed(_logger, agent.Type.Name, agent.Pid, exitCode, agent.ByeCode, agent.Chunk.Count);

            // An agent that dies before it ever took work would be restarted for ever: hold the type on that host.
            if (agent.Chunk.Count == 0 && agent.StopReason is null)
            {
                _health.Fail(agent.Type.Name, agent.Host.Name, reason, retry);
            }
        }

        _dead.Add(agent);
    }
}
