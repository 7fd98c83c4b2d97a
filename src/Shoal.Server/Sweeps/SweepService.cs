using System.Text.Json;
using System.Text.Json.Nodes;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Core.Sweeps;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Sweeps;

/// <summary>Starts sweeps and gap-fix runs as job streams, and computes their status and final JSON from the store.</summary>
internal sealed class SweepService(
    IQueueStore store, ISweepStore sweeps, ConfigHolder config, TimeProvider time, SweepLock sweepLock, LocalSweeps local, Broker.PullAgentRoster roster)
{
    /// <summary>The name of the server's own zone (hosts without one) in the final JSON and the progress.</summary>
    public const string ServerZone = "server";

    /// <summary>The job of a zone's hosts in a sweep's stream: <c>visit</c> for the server's own, <c>visit-ZONE</c> for another.</summary>
    public static string JobName(string? zone) => zone is null ? "visit" : "visit-" + zone;

    /// <summary>Starts a run; null with <paramref name="lockHolder"/> set when a sweep holds the lock.</summary>
    public async Task<SweepStarted?> StartAsync(SweepRequest request, Action<string> lockHolder, CancellationToken ct)
    {
        var cfg = config.Current.Sweep;
        var gapfix = request.Mode == "gapfix";
        var threads = request.Threads ?? (gapfix ? cfg.GapfixThreadsOrDefault : cfg.Threads);
        var now = time.GetUtcNow();
        var fresh = await sweeps.GetHostFreshnessAsync(request.Hosts.Select(h => h.Host).ToList(), ct).ConfigureAwait(false);
        var window = TimeSpan.FromSeconds(request.FreshWithinSeconds ?? TimeSpan.FromHours(24).TotalSeconds);
        bool Recent(DateTimeOffset? at) => at is { } t && now - t <= window;
        var candidates = gapfix ? request.Hosts.Where(h => h.Prod).ToList() : request.Hosts.ToList();
        var skipped = candidates.Where(h => Recent(fresh.GetValueOrDefault(h.Host)?.LastCheckin)).Select(h => h.Host).ToList();
        var notCheckedIn = candidates.Where(h => !skipped.Contains(h.Host)).ToList();
        var visit = notCheckedIn
            .Where(h => !gapfix || !Recent(fresh.GetValueOrDefault(h.Host)?.LastSuccess))
            .OrderByDescending(h => h.Prod) // stable: production first, then file order
            .ToList();
        var skippedFresh = notCheckedIn.Count - visit.Count; // gap-fix: production hosts with a recent success
        var name = $"{(gapfix ? "gapfix" : "sweep")}-{now:yyyyMMdd-HHmmss}";
        if (visit.Count == 0)
        {
            return new SweepStarted(null, null, name, 0, threads, skipped, skippedFresh);
        }

        if (!gapfix && !sweepLock.TryAcquire(-1, out var holder))
        {
            lockHolder(holder!);
            return null;
        }

        try
        {
            var limit = TimeSpan.FromSeconds(request.TimeLimitSeconds ?? cfg.TimeLimit.TotalSeconds);
            var collector = new CollectorSpec(request.Command, request.Shell, TimeSpan.FromSeconds(request.HostTimeoutSeconds ?? cfg.HostTimeout.TotalSeconds), threads, cfg.OutputLimit);
            // One job per zone: the server's own hosts are visited by the server (the job carries its collector); another
            // zone's hosts wait for that zone's collectors (shoal agent --collector --zone Z), which only a token tagged zone:Z may lease.
            // The server's own job requires the tag of its zone too, so that another zone's collector never leases its hosts
            // (the server's runner leases by job, whatever the tags).
            var jobs = visit.GroupBy(h => h.Zone is ServerZone ? null : h.Zone).OrderBy(g => g.Key is not null).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var parts = g.Select(h => new PartSpec(JsonSerializer.Serialize(new { host = h.Host, prod = h.Prod, zone = h.Zone }), null, IsJson: true)).ToList();
                return g.Key is null
                    ? new JobSpec(JobName(null), BuiltInTypes.Sweep, [], parts, limit, RequiresTags: [ZoneName.Tag(ServerZone)], Collector: collector)
                    : new JobSpec(JobName(g.Key), BuiltInTypes.Sweep, [], parts, limit, RequiresTags: [ZoneName.Tag(g.Key)]);
            }).ToList();
            var spec = new StreamSpec(name, "sweep", 0, jobs);
            var created = await sweeps.SubmitSweepAsync(
                spec, c => new SweepRecord(c.Id, c.Jobs[jobs[0].Name], gapfix ? "gapfix" : "sweep", threads, now, limit, skipped, !gapfix), now, ct).ConfigureAwait(false);
            if (!gapfix)
            {
                sweepLock.Assign(created.Id.Value);
            }

            foreach (var job in created.Jobs.Values)
            {
                local.MarkStarted(job);
            }

            return new SweepStarted(created.Id.Value, created.Jobs[jobs[0].Name].Value, name, visit.Count, threads, skipped, skippedFresh);
        }
        catch
        {
            if (!gapfix)
            {
                sweepLock.Release(-1);
            }

            throw;
        }
    }

    public async Task<SweepStatus?> StatusAsync(StreamId id, bool withHosts, CancellationToken ct)
    {
        var sweep = await sweeps.GetSweepAsync(id, ct).ConfigureAwait(false);
        var detail = await store.GetStreamAsync(id, ct).ConfigureAwait(false);
        if (sweep is null || detail is null)
        {
            return null;
        }

        var ended = detail.Stream.State.IsTerminal();
        var zoned = detail.Jobs.Any(j => ZoneOf(j) is not null);
        if (!ended && !withHosts && !detail.Jobs.Any(j => j.State.IsTerminal() && j.Parts.Leased > 0))
        {
            // While it runs, progress comes from the jobs' counters and their failed hosts: no need to read every host
            // (a zoned sweep read them all on every poll). The counts are the ones HostState gives each host.
            var counted = new List<SweepZoneDto>();
            int total = 0, done = 0, failed = 0, failedProduction = 0, running = 0, queued = 0;
            foreach (var job in detail.Jobs)
            {
                var c = job.Parts;
                var over = job.State.IsTerminal();
                var runningHere = ZoneOf(job) is null ? local.RunningParts(job.Id) : null;
                // The server's own hosts: those its runner runs (leased ahead is not started); a zone's: those its collectors hold.
                var jobRunning = over ? 0 : ZoneOf(job) is not null ? c.Leased : Math.Min(runningHere?.Count ?? sweep.Threads, c.Leased);
                var waiting = c.Ready + c.Retrying;
                var jobQueued = over ? 0 : waiting + c.Leased - jobRunning;
                total += c.Total;
                done += c.Done;
                failed += c.Failed;
                running += jobRunning;
                queued += jobQueued + (over ? waiting : 0);
                failedProduction += c.Failed == 0 ? 0
                    : (await store.GetFailedPartsAsync(job.Id, int.MaxValue, ct).ConfigureAwait(false)).Count(p => IsProduction(p.Payload));
                var zone = ZoneOf(job);
                counted.Add(new SweepZoneDto(
                    zone ?? ServerZone,
                    zone is null ? [config.Current.Scheduler.NodeName] : CollectorsOf(zone),
                    c.Total,
                    c.Done,
                    c.Failed,
                    jobRunning,
                    jobQueued,
                    over ? waiting : 0,
                    over && job.Reason?.StartsWith(NoCollector, StringComparison.Ordinal) == true ? job.Reason : null));
            }

            return new SweepStatus(id.Value, detail.Stream.State.Name(), sweep.Mode, sweep.Threads, total, done, failed, failedProduction, running, queued, [], null, zoned ? counted : null);
        }

        var hosts = new List<SweepHostState>();
        var zones = new List<SweepZoneDto>();
        foreach (var job in detail.Jobs)
        {
            var zone = ZoneOf(job);
            var runningHere = zone is null ? local.RunningParts(job.Id) : null;
            var mine = (await store.GetPartsAsync(job.Id, ct).ConfigureAwait(false)).Select(p => HostState(p, ended || job.State.IsTerminal(), runningHere)).ToList();
            hosts.AddRange(mine);
            var reason = job.State.IsTerminal() && job.Reason?.StartsWith(NoCollector, StringComparison.Ordinal) == true ? job.Reason : null;
            zones.Add(new SweepZoneDto(
                zone ?? ServerZone,
                zone is null ? [config.Current.Scheduler.NodeName] : CollectorsOf(zone),
                mine.Count,
                mine.Count(h => h.Outcome == "success"),
                mine.Count(h => h.Outcome == "failed"),
                mine.Count(h => h.Outcome == "running"),
                mine.Count(h => h.Outcome == "queued"),
                mine.Count(h => h.Outcome == "not_attempted"),
                reason));
        }

        var end = detail.Jobs.Max(j => j.FinishedAt) is { } f && ended ? f : detail.Stream.FinishedAt ?? time.GetUtcNow();
        double? timeout = detail.Jobs.Any(j => j.Reason?.StartsWith("timed out", StringComparison.Ordinal) == true) ? (end - sweep.StartedAt).TotalSeconds : null;
        var summary = SweepSummary.Build(
            hosts.Where(h => h.Outcome is "success" or "failed" or "not_attempted")
                .Select(h => (h.Host, h.Prod, h.Outcome switch { "success" => HostOutcome.Success, "failed" => HostOutcome.Failed, _ => HostOutcome.NotAttempted }))
                .ToList(),
            (end - sweep.StartedAt).TotalSeconds,
            sweep.Threads,
            timeout,
            sweep.SkippedCheckedIn,
            []);
        if (zoned)
        {
            summary["zones"] = new JsonObject(zones.Select(z => KeyValuePair.Create(z.Zone, (JsonNode?)new JsonObject
            {
                ["collectors"] = new JsonArray(z.Collectors.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
                ["hosts"] = z.Hosts,
                ["done"] = z.Done,
                ["failed"] = z.Failed,
                ["not_attempted"] = z.NotAttempted,
                ["reason"] = z.Reason,
            })));
        }

        return new SweepStatus(
            id.Value,
            detail.Stream.State.Name(),
            sweep.Mode,
            sweep.Threads,
            hosts.Count,
            hosts.Count(h => h.Outcome == "success"),
            hosts.Count(h => h.Outcome == "failed"),
            hosts.Count(h => h.Outcome == "failed" && h.Prod),
            hosts.Count(h => h.Outcome == "running"),
            hosts.Count(h => h.Outcome is "queued" or "not_attempted"),
            summary,
            withHosts ? hosts : null,
            zoned ? zones : null);
    }

    /// <summary>How the reason of a zone's job begins when it ended because no collector of the zone was live.</summary>
    public const string NoCollector = "no live collector in zone";

    /// <summary>The zone of a sweep job: null for the server's own (<c>visit</c>).</summary>
    public static string? ZoneOf(JobView job) => job.Name.StartsWith("visit-", StringComparison.Ordinal) ? job.Name["visit-".Length..] : null;

    /// <summary>The collectors (agent token names) that asked for sweep hosts of <paramref name="zone"/> lately, as this server heard them.</summary>
    public IReadOnlyList<string> CollectorsOf(string zone) =>
        roster.AskingFor(BuiltInTypes.Sweep, config.Current.Scheduler.AgentLostAfter).Where(a => a.Tags.Contains(ZoneName.Tag(zone))).Select(a => a.Name).Order(StringComparer.Ordinal).ToList();

    private static bool IsProduction(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("prod").GetBoolean();
    }

    private static SweepHostState HostState(PartView p, bool ended, IReadOnlyCollection<long>? runningHere)
    {
        using var payload = JsonDocument.Parse(p.Payload);
        var host = payload.RootElement.GetProperty("host").GetString()!;
        var prod = payload.RootElement.GetProperty("prod").GetBoolean();
        int? exit = null;
        long? duration = null;
        string? error = null;
        if (p.Result is { } r)
        {
            using var result = JsonDocument.Parse(r);
            exit = result.RootElement.TryGetProperty("exit_code", out var e) ? e.GetInt32() : null;
            duration = result.RootElement.TryGetProperty("duration_ms", out var d) ? d.GetInt64() : null;
            error = result.RootElement.TryGetProperty("error", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString() : null;
        }

        var outcome = p.State switch
        {
            PartState.Done => "success",
            PartState.Failed => "failed",
            PartState.Leased when ended => "failed",
            PartState.Leased => runningHere is null || runningHere.Contains(p.Id.Value) ? "running" : "queued", // leased ahead: not started
            _ => ended ? "not_attempted" : "queued",
        };
        var zone = payload.RootElement.TryGetProperty("zone", out var z) && z.ValueKind == JsonValueKind.String ? z.GetString() : null;
        return new SweepHostState(host, prod, outcome, exit, duration, error, zone);
    }
}
