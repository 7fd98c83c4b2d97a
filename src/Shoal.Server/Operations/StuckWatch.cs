using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Server.Broker;
using Shoal.Server.Hosting;
using Shoal.Server.Spawned;
using Shoal.Storage;

namespace Shoal.Server.Operations;

/// <summary>
/// Marks a live stream <em>stuck</em> when one of its jobs has work no agent can take: its type is not configured or is
/// invalid (at once), or — for <c>stuck_seconds</c> — its type's self-test has not ended, no live pull agent asks for
/// its type with the tags it needs, or every host that may run it is down. The mark is cleared when the cause goes; the owner is told once (by the
/// notifier). The leader watches, from the same facts <c>why</c> answers from.
/// </summary>
internal sealed class StuckWatch(
    IQueueStore store, ConfigHolder config, Dispatcher dispatcher, PullAgentRoster roster, ClusterMember cluster, TimeProvider time, Metrics.ShoalMetrics metrics, ILogger<StuckWatch> logger)
    : LeaderDuty(config, time, cluster)
{
    // Since when each job has had no agent to take it, whatever the cause: a type that is invalid, then under its
    // self-test again, then invalid again keeps its stream stuck (and its owner told once), not flapping.
    private readonly Dictionary<JobId, DateTimeOffset> _seen = [];
    private long _checkedAtMs = long.MinValue;

    /// <summary>The clock's time at the end of the last check (tests wait for a check of a moved clock).</summary>
    public DateTimeOffset CheckedAt => DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, Interlocked.Read(ref _checkedAtMs)));

    protected override Task RunOnceAsync(CancellationToken ct) => CheckAsync(ct);

    protected override void Failed(Exception ex) => Log.StuckCheckFailed(logger, ex);

    private async Task CheckAsync(CancellationToken ct)
    {
        var cfg = Config.Current;
        var now = Time.GetUtcNow();
        var demand = await store.GetDemandAsync(now, cfg.Scheduler.AgingStep, null, ct).ConfigureAwait(false);
        var stuck = new Dictionary<StreamId, List<string>>();
        var live = new HashSet<JobId>();
        foreach (var job in demand)
        {
            if (Cause(job, cfg) is not { } cause)
            {
                continue;
            }

            live.Add(job.Job);
            var since = _seen.TryGetValue(job.Job, out var seen) ? seen : now;
            _seen[job.Job] = since;
            if (cause.AtOnce || now - since >= cfg.Scheduler.StuckAfter)
            {
                (stuck.TryGetValue(job.Stream, out var list) ? list : stuck[job.Stream] = []).Add(cause.Text);
            }
        }

        foreach (var gone in _seen.Keys.Where(j => !live.Contains(j)).ToList())
        {
            _seen.Remove(gone);
        }

        var reasons = stuck.ToDictionary(x => x.Key, x => string.Join("; ", x.Value));
        foreach (var fresh in await store.MarkStuckAsync(reasons, now, ct).ConfigureAwait(false))
        {
            Log.StreamStuck(logger, fresh.Value, reasons[fresh]);
        }

        metrics.StreamsStuck = reasons.Count;
        Interlocked.Exchange(ref _checkedAtMs, now.ToUnixTimeMilliseconds());
    }

    /// <summary>Why no agent can take this job's ready parts, if none can; <c>AtOnce</c> when waiting cannot help.</summary>
    private (string Text, bool AtOnce)? Cause(JobDemand job, ShoalConfig cfg)
    {
        if (job.Type == BuiltInTypes.Sweep)
        {
            return null;
        }

        if (!cfg.AgentTypes.TryGetValue(job.Type, out var type))
        {
            return ($"job '{job.Name}': no agent type '{job.Type}' is configured", true);
        }

        if (dispatcher.InvalidTypes.TryGetValue(job.Type, out var invalid))
        {
            return ($"job '{job.Name}': agent type '{job.Type}' is invalid: {invalid}", true);
        }

        if (type.Max == 0)
        {
            return null; // held on purpose by its operator
        }

        if (type.Kind == AgentKind.Spawned && dispatcher.SelfTests.Any(t => t.Type == job.Type))
        {
            return ($"job '{job.Name}': agent type '{job.Type}' is still in its self-test (no VERSION yet)", false);
        }

        if (type.Kind == AgentKind.Pull)
        {
            var asking = roster.AskingFor(job.Type, cfg.Scheduler.AgentLostAfter);
            var tags = job.RequiresTags ?? [];
            if (tags.Count > 0 && !asking.Any(a => tags.All(a.Tags.Contains)))
            {
                return ($"job '{job.Name}' needs an agent with tags {string.Join(", ", tags)}: no live agent of type '{job.Type}' has them", false);
            }

            return asking.Count == 0 ? ($"job '{job.Name}': no live pull agent asks for type '{job.Type}'", false) : null;
        }

        var hosts = cfg.Hosts.Where(h => h.IsLocal || !type.Special.HasFlag(AgentSpecial.Local)).Select(h => h.Name).ToList();
        var down = dispatcher.DownHosts;
        return hosts.Count > 0 && hosts.All(down.Contains) ? ($"job '{job.Name}': every host that may run '{job.Type}' is down ({string.Join(", ", hosts)})", false) : null;
    }
}
