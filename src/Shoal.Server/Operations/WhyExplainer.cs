using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Server.Spawned;
using Shoal.Storage;

namespace Shoal.Server.Operations;

/// <summary>
/// Names why a job is not progressing, from the same facts the lease statement uses:
/// states, dependencies, type and host maxima, and the work ahead of it.
/// </summary>
internal static class WhyExplainer
{
    public static IReadOnlyList<string> Explain(WhyFacts facts, DateTimeOffset now, ShoalConfig config, Dispatcher dispatcher, Sweeps.SweepLock sweepLock, Broker.PullAgentRoster roster)
    {
        var invalidTypes = dispatcher.InvalidTypes;
        var agents = dispatcher.Agents;
        var job = facts.Job;
        var reasons = new List<string>();
        if (job.State.IsTerminal())
        {
            reasons.Add(job.Reason is null ? $"finished: {job.State.Name()}" : $"finished: {job.State.Name()} ({job.Reason})");
            return reasons;
        }

        if (facts.StreamState == StreamState.Paused)
        {
            reasons.Add("stream paused");
        }

        if (job.State == JobState.Paused)
        {
            reasons.Add("paused");
        }

        foreach (var (name, state) in facts.PendingDependencies)
        {
            reasons.Add($"waiting for dependency {name} ({state.Name()})");
        }

        if (job.WaitForLock == "sweep" && sweepLock.IsHeld())
        {
            reasons.Add($"lock held: waits for the sweep lock, {sweepLock.Describe()}");
        }

        if (job.State == JobState.Blocked || reasons.Count > 0)
        {
            return reasons;
        }

        if (job.Type == BuiltInTypes.Sweep)
        {
            var zone = Sweeps.SweepService.ZoneOf(job);
            var collectors = zone is null ? [] : roster.AskingFor(BuiltInTypes.Sweep, config.Scheduler.AgentLostAfter)
                .Where(a => a.Tags.Contains(Core.Sweeps.ZoneName.Tag(zone))).Select(a => a.Name).ToList();
            reasons.Add(zone is null
                ? $"sweep: the server runs its collectors ({job.Parts.Ready} hosts queued, {job.Parts.Leased} running)"
                : collectors.Count > 0
                    ? $"sweep zone {zone}: collectors {string.Join(", ", collectors)} visit its hosts ({job.Parts.Ready} queued, {job.Parts.Leased} running)"
                    : $"sweep zone {zone}: no live collector asks for its {job.Parts.Ready} hosts (shoal agent --collector CMD --zone {zone}, with a token tagged zone:{zone}); they are given up after [SWEEP] zone_wait ({config.Sweep.ZoneWait.TotalSeconds:0} s)");
            return reasons;
        }

        if (!config.AgentTypes.TryGetValue(job.Type, out var type))
        {
            reasons.Add($"no agent of type '{job.Type}' is configured");
            return reasons;
        }

        if (invalidTypes.TryGetValue(job.Type, out var invalid))
        {
            reasons.Add($"agent type '{job.Type}' is invalid: {invalid}");
        }

        if (dispatcher.ExclusiveWaits.TryGetValue(job.Id, out var exclusive))
        {
            reasons.Add(exclusive);
        }

        if (type.Max == 0)
        {
            reasons.Add($"type max is 0: '{job.Type}' is held");
        }
        else if (type.Max > 0 && facts.TypeAgents >= type.Max && (job.Parts.Leased == 0 || facts.SlotHolders is { Count: > 0 }))
        {
            var holders = facts.SlotHolders is { Count: > 0 } h ? ", held by " + string.Join(", ", h.Select(x => $"job {x.Job} {x.Name}")) : "";
            reasons.Add($"type max reached ({facts.TypeAgents}/{type.Max} agents){holders}");
        }

        if (type.Kind == AgentKind.Pull && job.Parts.Ready > 0)
        {
            var asking = roster.AskingFor(job.Type, config.Scheduler.AgentLostAfter);
            var tags = facts.RequiresTags ?? [];
            if (tags.Count > 0 && facts.AgentTokensWithTags == 0)
            {
                reasons.Add($"needs an agent with tags {string.Join(", ", tags)}: no agent token has them (shoal token create --agent NAME --tags {string.Join(',', tags)})");
            }
            else if (asking.Count == 0)
            {
                reasons.Add($"no pull agent is asking for type '{job.Type}' (none has called this server for it in the last {config.Scheduler.AgentLostAfter.TotalSeconds:0} s)");
            }
            else if (tags.Count > 0 && !asking.Any(a => tags.All(a.Tags.Contains)))
            {
                reasons.Add($"none of the {asking.Count} agents asking for '{job.Type}' has tags {string.Join(", ", tags)} ({string.Join(", ", asking.Take(5).Select(a => a.Name))})");
            }
        }

        if (type.Kind == AgentKind.Spawned && job.Parts.Ready > 0)
        {
            var hosts = config.Hosts.Where(h => h.IsLocal || !type.Special.HasFlag(AgentSpecial.Local)).ToList();
            var down = dispatcher.DownHosts;
            int Busy(HostConfig h) => agents.Count(a => a.Host == h.Name && !a.Suspended);
            if (hosts.All(h => down.Contains(h.Name) || Busy(h) >= h.Max))
            {
                reasons.Add("no host with room (" + string.Join(", ", hosts.Select(h => down.Contains(h.Name) ? $"{h.Name} down" : $"{h.Name} {Busy(h)}/{h.Max}")) + ")");
            }
        }

        if (facts.PartsAhead > 0 && job.Parts.Ready > 0)
        {
            reasons.Add($"behind {Parts(facts.PartsAhead)} of higher priority (or forced)");
        }

        if (facts.PartsEarlier > 0 && job.Parts.Ready > 0)
        {
            reasons.Add($"behind {Parts(facts.PartsEarlier)} queued earlier at the same priority");
        }

        var retrying = RetryReason(facts, now);
        if (reasons.Count == 0 && (retrying is null || job.Parts.Ready + job.Parts.Leased > 0))
        {
            reasons.Add(job.Parts.Ready == 0
                ? $"running: {job.Parts.Leased} parts leased, none waiting"
                : type.Kind == AgentKind.Pull
                    ? $"waiting for a pull agent of type '{job.Type}' to ask for work ({job.Parts.Ready} ready)"
                    : $"starting agents ({job.Parts.Ready} ready, {job.Parts.Leased} leased)");
        }

        if (retrying is not null)
        {
            reasons.Add(retrying);
        }

        return reasons;
    }

    /// <summary>"retrying part 7 'host-3' (attempt 3) at 2026-12-04 17:02:10Z, in 40 s": the first part back from its retry wait.</summary>
    private static string? RetryReason(WhyFacts facts, DateTimeOffset now)
    {
        if (facts.NextRetry is not { } next)
        {
            return null;
        }

        var wait = next.At - now;
        var more = facts.Job.Parts.Retrying > 1 ? $"; {facts.Job.Parts.Retrying} parts wait to retry" : "";
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"retrying part {next.Part.Value} '{Short(next.Payload)}' (attempt {next.Attempt}) at {next.At.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z")
            + (wait > TimeSpan.Zero ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", in {Math.Ceiling(wait.TotalSeconds):0} s") : ", due now") + more;
    }

    private static string Short(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 59), "…");

    private static string Parts(int n) => n == 1 ? "1 part" : $"{n} parts";
}
