using Shoal.Core.Protocol;
using Shoal.Server.Spawned;

namespace Shoal.Server.Spawned;

internal sealed partial class Dispatcher
{
    private Task OnLineAsync(SpawnedAgent agent, AgentMessage msg, CancellationToken ct) =>
        ApplyAsync(agent, agent.Session.OnLine(msg, _time.GetUtcNow()), ct);

    /// <summary>Carries out what an agent's session asked for, in order.</summary>
    private async Task ApplyAsync(SpawnedAgent agent, IReadOnlyList<SessionEffect> effects, CancellationToken ct)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case SessionEffect.Send send:
                    await agent.SendAsync(send.Text, ct).ConfigureAwait(false);
                    break;
                case SessionEffect.Signal signal:
                    agent.Signal(signal.Number);
                    break;
                case SessionEffect.Terminate stop:
                    Log.AgentStopped(_logger, agent.Type.Name, agent.Pid, stop.Reason);
                    agent.Signal(Signals.Term);
                    break;
                case SessionEffect.Report report:
                    _reports.Add(report.Part);
                    break;
                case SessionEffect.JobMessage message when agent.Job is { } job:
                    await _store.SetJobMessageAsync(job, message.Text, ct).ConfigureAwait(false);
                    break;
                case SessionEffect.Output output:
                    if (output.ToJobLog && agent.Job is { } logJob)
                    {
                        _jobLogs.Append(logJob.Value, agent.Type.Name, agent.Pid, output.Text);
                    }

                    Log.AgentOutput(_logger, agent.Type.Name, agent.Pid, output.Text);
                    break;
                case SessionEffect.VersionSaid said:
                    await ApplyAsync(agent, CheckVersion(agent, said.Version), ct).ConfigureAwait(false);
                    break;
                case SessionEffect.NoVersion none:
                    _health.Fail(agent.Type.Name, agent.Host.Name, none.Reason, _time.GetUtcNow() + _config.Current.Scheduler.SelfTestRetry);
                    Log.TypeInvalid(_logger, agent.Type.Name, none.Reason);
                    break;
                case SessionEffect.Connected connected:
                    _startups++;
                    _startupTotal += connected.StartUp;
                    break;
            }
        }
    }

    /// <summary>The first agent of a type fixes the type's version; a later one that differs is replaced (or fails its self-test).</summary>
    private IReadOnlyList<SessionEffect> CheckVersion(SpawnedAgent agent, string version)
    {
        var now = _time.GetUtcNow();
        var type = agent.Type.Name;
        _health.StartSucceeded(agent.Host.Name);
        if (_health.CheckVersion(type, version, out var first))
        {
            return [];
        }

        if (agent.IsSelfTest)
        {
            _health.Fail(type, agent.Host.Name, $"versions don't match: '{first}' then '{version}'", now + _config.Current.Scheduler.SelfTestRetry);
            return agent.Session.Stop($"versions don't match: '{first}' then '{version}'", now);
        }

        // A newer agent was installed: adopt its version and replace this agent (it holds nothing yet).
        _health.AdoptVersion(type, version);
        return agent.Session.Stop($"version changed from '{first}' to '{version}': replaced", now);
    }

    private void OnExited(SpawnedAgent agent, int exitCode)
    {
        var now = _time.GetUtcNow();
        _agents.Remove(agent);
        _spawnCheck = true;
        var exit = agent.Session.Exited(exitCode, agent.StderrTail());
        agent.ExitReason = exit.Reason;
        var retry = now + _config.Current.Scheduler.SelfTestRetry;
        if (exit.DiedBeforeVersion)
        {
            Log.AgentDiedBeforeVersion(_logger, agent.Type.Name, agent.Host.Name, agent.Pid, exitCode, agent.StderrTail() ?? "(nothing)");
            var s = _config.Current.Scheduler;
            _health.StartFailed(agent.Host.Name, s.HostDownAfter, s.HostDownFor, now);
        }

        if (agent.IsSelfTest)
        {
            if (exit.Clean)
            {
                _health.Pass(agent.Type.Name, agent.Host.Name);
                Log.SelfTestPassed(_logger, agent.Type.Name, agent.Host.Name);
            }
            else
            {
                _health.FailIfTesting(agent.Type.Name, agent.Host.Name, exit.Reason, retry);
                Log.SelfTestFailed(_logger, agent.Type.Name, agent.Host.Name, exit.Reason);
            }
        }
        else
        {
            CountEnd(agent.Job!.Value.Value, exit.Clean);
        }

        if (!agent.IsSelfTest && !exit.Clean)
        {
            Log.AgentFailed(_logger, agent.Type.Name, agent.Pid, exitCode, agent.Session.ByeCode, exit.PartsHeld);

            // An agent that dies before it ever took work would be restarted for ever: hold the type on that host.
            if (exit.PartsHeld == 0 && agent.Session.StopReason is null)
            {
                _health.Fail(agent.Type.Name, agent.Host.Name, exit.Reason, retry);
            }
        }

        _dead.Add(agent);
    }

    /// <summary>Counts an agent of a job that ended; jobs with no agent left are forgotten once there are many.</summary>
    private void CountEnd(long job, bool clean)
    {
        if (_agentEnds.Count > 10_000)
        {
            foreach (var gone in _agentEnds.Keys.Where(j => !_agents.Any(a => a.Job?.Value == j)).ToList())
            {
                _agentEnds.TryRemove(gone, out _);
            }
        }

        _agentEnds.AddOrUpdate(job, clean ? (1, 0) : (0, 1), (_, c) => clean ? (c.Finished + 1, c.Failed) : (c.Finished, c.Failed + 1));
    }
}
