using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Server.Spawned;

namespace Shoal.Server.Spawned;

internal sealed partial class Dispatcher
{
    private async Task OnTickAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_cluster.IsLeader || _config.Current.Scheduler.SweepsOnly)
        {
            // Leases and job time limits are the leader's: one server of the cluster expires them. shoal sweep's own
            // server (never the leader) does too: they are deadlines, right whoever applies them, and its sweep's time
            // limit is one (no other server runs on its store, or it would have used it).
            await _broker.ExpireAsync(ct).ConfigureAwait(false);
        }

        await WatchAsync(now, ct).ConfigureAwait(false);
        _syncJobs = true;
        _spawnCheck = true;
    }

    /// <summary>The watchdog, over every agent's session (silent or stuck agents get SIGTERM, then SIGKILL).</summary>
    private async Task WatchAsync(DateTimeOffset now, CancellationToken ct)
    {
        var grace = _config.Current.Scheduler.KillGrace;
        foreach (var agent in _agents.ToList())
        {
            await ApplyAsync(agent, agent.Session.Watch(now, grace), ct).ConfigureAwait(false);
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
        foreach (var agent in _agents.Where(a => a.Job is not null).ToList())
        {
            var state = states.GetValueOrDefault(agent.Job!.Value, JobState.Cancelled);
            await ApplyAsync(agent, agent.Session.JobStateIs(state, now), ct).ConfigureAwait(false);
        }
    }
}
