using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Server.Spawned;
using Shoal.Storage;

namespace Shoal.Server.Spawned;

internal sealed partial class Dispatcher
{
    /// <summary>Leases a chunk for every idle agent in one transaction; an agent with nothing to do is closed.</summary>
    private async Task FeedIdleAgentsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var idle = _agents.Where(a => a.Session is { Phase: AgentPhase.Idle, Suspended: false, TerminatedAt: null }).ToList();
        if (idle.Count == 0)
        {
            return;
        }

        var config = _config.Current;
        // An agent of a type removed by a reload finishes its chunk and takes no more.
        var feedable = idle.Where(a => !a.IsSelfTest && !_draining && _gate.Allows(a.Job!.Value) && config.AgentTypes.ContainsKey(a.Type.Name)).ToList();
        var started = _time.GetTimestamp();
        var leased = feedable.Count == 0
            ? []
            : await _broker.LeaseManyAsync(feedable.Select(a => LeaseFor(a, config, now) with { SweepLockHeld = _sweepLock.IsHeld() }).ToList(), ct).ConfigureAwait(false);
        if (feedable.Count > 0)
        {
            _metrics.LeaseSeconds.Record(_time.GetElapsedTime(started).TotalSeconds);
            _metrics.PartsLeased.Add(leased.Sum(l => l.Count), new KeyValuePair<string, object?>("kind", "spawned"));
        }
        foreach (var agent in idle)
        {
            var i = feedable.IndexOf(agent);
            await ApplyAsync(agent, agent.Session.Feed(i < 0 ? [] : leased[i], now), ct).ConfigureAwait(false);
        }
    }

    private static LeaseRequest LeaseFor(SpawnedAgent a, ShoalConfig config, DateTimeOffset now) => new(
        a.Owner,
        a.Host.Name,
        a.Host.Max,
        [new TypeLimit(a.Type.Name, a.Type.Max, a.Type.Lease)],
        a.Type.Chunk,
        now,
        config.Scheduler.AgingStep,
        a.Job,
        KeyRangesOf(config, a.Host.Name, a.Type.Name));

    /// <summary>
    /// The key ranges a host owns for a type, or null when it takes every key: no affinity configured, or ranges that
    /// cover 00..ff (FOSSology's <c>localhost[] = * 00 ff</c>), which then cost no key reads and no range filter.
    /// </summary>
    private static List<KeyRange>? KeyRangesOf(ShoalConfig config, string host, string type)
    {
        if (config.Affinity.Count == 0)
        {
            return null;
        }

        var ranges = config.Affinity.Where(r => r.Host == host && r.AppliesTo(type)).Select(r => new KeyRange(r.From, r.To)).ToList();
        var next = 0;
        foreach (var r in ranges.OrderBy(r => r.From))
        {
            if (r.From > next)
            {
                break;
            }

            next = Math.Max(next, r.To + 1);
        }

        return next > 0xff ? null : ranges;
    }

    /// <summary>Each spawned type is started once on each host with no data; it must say VERSION, OK, and BYE 0 after CLOSE.</summary>
    private void StartSelfTests(DateTimeOffset now)
    {
        var config = _config.Current;
        foreach (var type in config.AgentTypes.Values.Where(t => t.Kind == AgentKind.Spawned))
        {
            foreach (var host in config.Hosts.Where(h => CanRunOn(type, h) && !_health.IsDown(h.Name, now)))
            {
                if (_health.NeedsTest(type.Name, host.Name, now))
                {
                    _health.Testing(type.Name, host.Name);
                    Launch(type, host, null, null, now);
                }
            }
        }
    }

    private async Task SpawnForDemandAsync(IReadOnlyList<JobDemand> demand, DateTimeOffset now, CancellationToken ct)
    {
        var config = _config.Current;
        foreach (var d in demand)
        {
            if (!config.AgentTypes.TryGetValue(d.Type, out var type) || type.Kind != AgentKind.Spawned || !_gate.Allows(d.Job)
                || (d.WaitsForLock && _sweepLock.IsHeld()))
            {
                continue;
            }

            var waiting = _agents.Count(a => a.Job == d.Job && a.Session.Phase is AgentPhase.Starting or AgentPhase.Connecting or AgentPhase.Idle);
            var needed = Math.Min((int)Math.Ceiling(d.Ready / (double)type.Chunk) - waiting, 16);
            if (needed <= 0)
            {
                continue;
            }

            IReadOnlyList<int> keys = config.Hosts.All(h => KeyRangesOf(config, h.Name, type.Name) is null)
                ? []
                : await _store.GetReadyKeyBytesAsync(d.Job, ct).ConfigureAwait(false);
            for (var i = 0; i < needed; i++)
            {
                if (type.Max >= 0 && _agents.Count(a => a.Type.Name == type.Name && Counts(a)) >= type.Max)
                {
                    break;
                }

                var host = PickHost(config, type, keys, now);
                if (host is null)
                {
                    break;
                }

                Launch(type, host, d.Job, d.Stream, now);
            }
        }
    }

    /// <summary>The usable host with the most free room for the type (LOCAL, affinity, self-test, down hosts considered).</summary>
    private HostConfig? PickHost(ShoalConfig config, AgentTypeConfig type, IReadOnlyList<int> keys, DateTimeOffset now) =>
        config.Hosts
            .Where(h => CanRunOn(type, h) && _health.IsUsable(type.Name, h.Name) && !_health.IsDown(h.Name, now))
            .Where(h => keys.Count == 0 || KeyRangesOf(config, h.Name, type.Name) is not { } ranges || ranges.Any(r => keys.Any(k => k >= r.From && k <= r.To)))
            .Select(h => (Host: h, Free: h.Max - _agents.Count(a => a.Host.Name == h.Name && Counts(a))))
            .Where(x => x.Free > 0)
            .OrderByDescending(x => x.Free)
            .Select(x => x.Host)
            .FirstOrDefault();

    private static bool CanRunOn(AgentTypeConfig type, HostConfig host) => host.IsLocal || !type.Special.HasFlag(AgentSpecial.Local);

    /// <summary>Whether an agent takes a slot: self-tests and suspended agents do not.</summary>
    private static bool Counts(SpawnedAgent a) => !a.IsSelfTest && !a.Session.Suspended;

    private void Launch(AgentTypeConfig type, HostConfig host, JobId? job, StreamId? stream, DateTimeOffset now)
    {
        var serial = Interlocked.Increment(ref _serial);
        try
        {
            var agent = _launcher.Start(new AgentStart(serial, OwnerPrefix + serial, type, host, job, stream, now), _events.Writer);
            _agents.Add(agent);
            Log.AgentStarted(_logger, type.Name, agent.Pid, host.Name);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _health.Fail(type.Name, host.Name, $"cannot start: {ex.Message}", now + _config.Current.Scheduler.SelfTestRetry);
            Log.SpawnFailed(_logger, type.Name, ex.Message);
        }
    }
}
