using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Protocol;
using Shoal.Server.Agents;
using Shoal.Storage;

namespace Shoal.Server.Engine;

internal sealed partial class Dispatcher
{
    private async Task OnLineAsync(SpawnedAgent agent, AgentMessage msg, CancellationToken ct)
    {
        agent.LastHeard = _time.GetUtcNow();
        if (agent.Phase == AgentPhase.Starting)
        {
            if (msg.Kind == AgentMessageKind.Version)
            {
                agent.Version = msg.Text;
                agent.Phase = AgentPhase.Connecting;
            }
            else
            {
                MarkInvalid(agent.Type.Name, $"agent didn't send version information: \"{msg.Text}\"", TimeSpan.FromSeconds(30));
                agent.Kill();
            }

            return;
        }

        switch (msg.Kind)
        {
            case AgentMessageKind.Ok when agent.Phase == AgentPhase.Busy:
                foreach (var part in agent.Chunk)
                {
                    _reports.Add(new PartReport(part.PartId, part.LeaseId, agent.Owner, PartOutcome.Ok));
                }

                agent.Chunk.Clear();
                agent.Phase = AgentPhase.Idle;
                break;
            case AgentMessageKind.Ok when agent.Phase == AgentPhase.Connecting:
                agent.Phase = AgentPhase.Idle;
                break;
            case AgentMessageKind.Heart:
                agent.ItemsProcessed = msg.Number;
                break;
            case AgentMessageKind.Bye:
                agent.ByeCode = msg.Number;
                break;
            case AgentMessageKind.GetSpecial:
                var on = ((long)agent.Type.Special & msg.Number) != 0;
                await agent.SendAsync(on ? "VALUE: 1\n" : "VALUE: 0\n", ct).ConfigureAwait(false);
                break;
            default:
                Log.AgentOutput(_logger, agent.Type.Name, agent.Pid, msg.Text);
                break;
        }
    }

    private bool OnExited(SpawnedAgent agent, int exitCode)
    {
        agent.ExitCode = exitCode;
        var clean = agent.ByeCode == 0 && agent.Chunk.Count == 0;
        if (!clean)
        {
            Log.AgentFailed(_logger, agent.Type.Name, agent.Pid, exitCode, agent.ByeCode, agent.Chunk.Count);
            var alreadyInvalid = _invalid.TryGetValue(agent.Type.Name, out var inv) && inv.Until > _time.GetUtcNow();
            if (agent.Phase is AgentPhase.Starting or AgentPhase.Connecting && !alreadyInvalid)
            {
                MarkInvalid(agent.Type.Name, $"agent exited with code {exitCode} before it was ready", TimeSpan.FromSeconds(5));
            }
        }

        agent.Phase = AgentPhase.Exited;
        _agents.Remove(agent);
        _dead.Add(agent);
        _spawnCheck = true;
        return clean;
    }

    private async Task OnTickAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var expired = await _store.ExpireAsync(now, ct).ConfigureAwait(false);
        if (expired > 0)
        {
            Log.Expired(_logger, expired);
        }

        var timedOut = await _store.FailTimedOutJobsAsync(now, ct).ConfigureAwait(false);
        foreach (var job in timedOut)
        {
            Log.JobTimedOut(_logger, job.Value);
        }

        foreach (var agent in _agents)
        {
            var silent = now - agent.LastHeard;
            var noKill = agent.Type.Special.HasFlag(AgentSpecial.NoKill);
            var chunkOver = agent.Phase == AgentPhase.Busy && agent.Type.Timeout is { } limit && now - agent.ChunkStarted > limit;
            var jobGone = agent.Chunk.Any(p => timedOut.Contains(p.JobId));
            if (jobGone || chunkOver || (!noKill && silent > agent.Type.HeartbeatTimeout))
            {
                Log.AgentSilent(_logger, agent.Type.Name, agent.Pid, silent.TotalSeconds);
                agent.Kill();
            }
        }

        _spawnCheck = true;
    }

    /// <summary>Leases a chunk for every idle agent in one transaction; an agent that gets nothing is closed.</summary>
    private async Task FeedIdleAgentsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var idle = _agents.Where(a => a.Phase == AgentPhase.Idle).ToList();
        if (idle.Count == 0)
        {
            return;
        }

        var aging = _config.Current.Scheduler.AgingStep;
        IReadOnlyList<IReadOnlyList<LeasedPart>> leased = _draining
            ? idle.Select(_ => (IReadOnlyList<LeasedPart>)[]).ToList()
            : await _store.LeaseManyAsync(
                idle.Select(a => new LeaseRequest(a.Owner, a.Host.Name, a.Host.Max, [new TypeLimit(a.Type.Name, a.Type.Max, a.Type.Lease)], a.Type.Chunk, now, aging)).ToList(),
                ct).ConfigureAwait(false);
        for (var i = 0; i < idle.Count; i++)
        {
            var agent = idle[i];
            var parts = leased[i];
            if (parts.Count == 0)
            {
                agent.Phase = AgentPhase.Closing;
                await agent.SendAsync("CLOSE\n", ct).ConfigureAwait(false);
                continue;
            }

            agent.Chunk.AddRange(parts);
            agent.Phase = AgentPhase.Busy;
            agent.ChunkStarted = now;
            await agent.SendAsync(string.Join('\n', parts.Select(p => p.Payload)) + "\nEND\n", ct).ConfigureAwait(false);
        }
    }

    private async Task SpawnForDemandAsync(DateTimeOffset now, CancellationToken ct)
    {
        var config = _config.Current;
        foreach (var demand in await _store.GetDemandAsync(ct).ConfigureAwait(false))
        {
            if (demand.Ready == 0
                || !config.AgentTypes.TryGetValue(demand.Type, out var type)
                || type.Kind != AgentKind.Spawned
                || (_invalid.TryGetValue(type.Name, out var inv) && inv.Until > now))
            {
                continue;
            }

            var ofType = _agents.Where(a => a.Type.Name == type.Name).ToList();
            var waiting = ofType.Count(a => a.Phase is AgentPhase.Starting or AgentPhase.Connecting or AgentPhase.Idle);
            var needed = (int)Math.Ceiling(demand.Ready / (double)type.Chunk) - waiting;
            var typeRoom = type.Max < 0 ? int.MaxValue : type.Max - ofType.Count;
            var count = Math.Min(Math.Min(needed, typeRoom), 16);
            for (var i = 0; i < count; i++)
            {
                var host = PickHost(config, type);
                if (host is null)
                {
                    break;
                }

                try
                {
                    var serial = Interlocked.Increment(ref _serial);
                    var agent = _spawner.Start(serial, OwnerPrefix + serial, type, host, now, _events.Writer);
                    _agents.Add(agent);
                    Log.AgentStarted(_logger, type.Name, agent.Pid, host.Name);
                }
                catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
                {
                    MarkInvalid(type.Name, ex.Message, TimeSpan.FromSeconds(30));
                    Log.SpawnFailed(_logger, type.Name, ex.Message);
                    break;
                }
            }
        }
    }

    /// <summary>The local host with the most free room, or null when every host is full.</summary>
    private HostConfig? PickHost(ShoalConfig config, AgentTypeConfig type) =>
        config.Hosts
            .Where(h => h.IsLocal)
            .Select(h => (Host: h, Free: h.Max - _agents.Count(a => a.Host.Name == h.Name)))
            .Where(x => x.Free > 0)
            .OrderByDescending(x => x.Free)
            .Select(x => x.Host)
            .FirstOrDefault();

    private void MarkInvalid(string type, string reason, TimeSpan backoff)
    {
        _invalid[type] = (_time.GetUtcNow() + backoff, reason);
        InvalidTypes = _invalid.Where(kv => kv.Value.Until > _time.GetUtcNow()).ToDictionary(kv => kv.Key, kv => kv.Value.Reason);
        Log.TypeInvalid(_logger, type, reason);
    }
}
