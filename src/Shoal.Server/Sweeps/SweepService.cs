using System.Text.Json;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Core.Sweeps;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Sweeps;

/// <summary>Starts sweeps and gap-fix runs as job streams, and computes their status and final JSON from the store.</summary>
internal sealed class SweepService(IQueueStore store, ISweepStore sweeps, ConfigHolder config, TimeProvider time, SweepLock sweepLock, LocalSweeps local)
{
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
            var parts = visit.Select(h => new PartSpec(JsonSerializer.Serialize(new { host = h.Host, prod = h.Prod }), null, IsJson: true)).ToList();
            var job = new JobSpec("visit", BuiltInTypes.Sweep, [], parts, limit, Collector: collector);
            var spec = new StreamSpec(name, "sweep", 0, [job]);
            var created = await sweeps.SubmitSweepAsync(
                spec, c => new SweepRecord(c.Id, c.Jobs["visit"], gapfix ? "gapfix" : "sweep", threads, now, limit, skipped, !gapfix), now, ct).ConfigureAwait(false);
            if (!gapfix)
            {
                sweepLock.Assign(created.Id.Value);
            }

            local.MarkStarted(created.Jobs["visit"]);

            return new SweepStarted(created.Id.Value, created.Jobs["visit"].Value, name, visit.Count, threads, skipped, skippedFresh);
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

        var job = detail.Jobs.Single();
        var ended = detail.Stream.State.IsTerminal();
        if (!ended && !withHosts)
        {
            // While it runs, progress comes from the job's counters and its failed hosts: no need to read every host.
            var c = job.Parts;
            var failedProduction = c.Failed == 0 ? 0
                : (await store.GetFailedPartsAsync(sweep.Job, int.MaxValue, ct).ConfigureAwait(false)).Count(p => IsProduction(p.Payload));
            var running = Running(sweep, c.Leased);
            return new SweepStatus(id.Value, detail.Stream.State.Name(), sweep.Mode, sweep.Threads, c.Total, c.Done, c.Failed, failedProduction, running, c.Ready + c.Leased - running, [], null);
        }

        var runningHere = local.RunningParts(sweep.Job);
        var hosts = (await store.GetPartsAsync(sweep.Job, ct).ConfigureAwait(false)).Select(p => HostState(p, ended, runningHere)).ToList();
        var end = job.FinishedAt ?? detail.Stream.FinishedAt ?? time.GetUtcNow();
        double? timeout = job.Reason?.StartsWith("timed out", StringComparison.Ordinal) == true ? (end - sweep.StartedAt).TotalSeconds : null;
        var summary = SweepSummary.Build(
            hosts.Where(h => h.Outcome is "success" or "failed" or "not_attempted")
                .Select(h => (h.Host, h.Prod, h.Outcome switch { "success" => HostOutcome.Success, "failed" => HostOutcome.Failed, _ => HostOutcome.NotAttempted }))
                .ToList(),
            (end - sweep.StartedAt).TotalSeconds,
            sweep.Threads,
            timeout,
            sweep.SkippedCheckedIn,
            []);
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
            withHosts ? hosts : null);
    }

    private static bool IsProduction(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        return json.RootElement.GetProperty("prod").GetBoolean();
    }

    /// <summary>
    /// The collectors running now: the ones this server runs, or — when another server of the cluster runs the sweep —
    /// its leased hosts up to its threads (it leases up to twice its threads ahead).
    /// </summary>
    private int Running(SweepRecord sweep, int leased) => local.RunningParts(sweep.Job)?.Count ?? Math.Min(leased, sweep.Threads);

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
        return new SweepHostState(host, prod, outcome, exit, duration, error);
    }
}
