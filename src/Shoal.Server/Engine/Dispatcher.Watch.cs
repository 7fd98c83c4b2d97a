using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Server.Agents;

namespace Shoal.Server.Engine;

internal sealed partial class Dispatcher
{
    private async Task OnTickAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_cluster.IsLeader)
        {
            // Leases and job time limits are the leader's: one server of the cluster expires them.
            await _broker.ExpireAsync(ct).ConfigureAwait(false);
        }

        Watch(now);
        _syncJobs = true;
        _spawnCheck = true;
    }

    /// <summary>The watchdog: silent or stuck agents get SIGTERM, then SIGKILL after the grace period.</summary>
    private void Watch(DateTimeOffset now)
    {
        var grace = _config.Current.Scheduler.KillGrace;
        foreach (var agent in _agents.Where(a => !a.Suspended))
        {
            if (agent.TerminatedAt is { } t)
            {
                if (now - t > grace)
                {
                    agent.Signal(Signals.Kill);
                }

                continue;
            }

            var type = agent.Type;
            var noKill = agent.Special.HasFlag(AgentSpecial.NoKill);
            var silent = now - agent.LastHeard;
            if (!noKill && silent > type.HeartbeatTimeout)
            {
                StopAgent(agent, $"no output for {silent.TotalSeconds:0} s (heartbeat_timeout {type.HeartbeatTimeout.TotalSeconds:0} s)", now);
            }
            else if (!noKill && agent.Phase == AgentPhase.Busy && now - agent.LastProgress > type.ProgressTimeout)
            {
                StopAgent(agent, $"no progress for {(now - agent.LastProgress).TotalSeconds:0} s (progress_timeout)", now);
            }
            else if (agent.Phase == AgentPhase.Busy && type.Timeout is { } limit && now - agent.ChunkStarted > limit)
            {
                StopAgent(agent, $"chunk took longer than {limit.TotalSeconds:0} s (timeout)", now);
            }
        }
    }

    /// <summary>Paused jobs' agents are suspended (their slots freed), restarted ones resumed, ended ones stopped.</summary>
    private async Task SyncJobStatesAsync(CancellationToken ct)
    {
        var jobs = _agents.Where(a => a.Job is not null).Select(a => a.Job!.Value).Distinct().ToList();
        if (jobs.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var states = await _store.GetJobStatesAsync(jobs, ct).ConfigureAwait(false);
        foreach (var agent in _agents.Where(a => a.Job is not null && a.TerminatedAt is null))
        {
            var state = states.GetValueOrDefault(agent.Job!.Value, JobState.Cancelled);
            if (state == JobState.Paused && !agent.Suspended)
            {
                agent.Signal(Signals.Stop);
                agent.Suspended = true;
            }
            else if (state != JobState.Paused && agent.Suspended)
            {
                agent.Signal(Signals.Cont);
                agent.Suspended = false;
                agent.LastHeard = now;
                agent.LastProgress = now;
            }

            if (state is JobState.Failed or JobState.Cancelled && agent.Phase == AgentPhase.Busy)
            {
                StopAgent(agent, $"its job was {state.Name()}", now);
            }
        }
    }

    private void StopAgent(SpawnedAgent agent, string reason, DateTimeOffset now)
    {
        if (agent.TerminatedAt is not null)
        {
            return;
        }

        Log.AgentStopped(_logger, agent.Type.Name, agent.Pid, reason);
        agent.StopReason ??= reason;
        agent.TerminatedAt = now;
        agent.Signal(Signals.Term);
    }
}
