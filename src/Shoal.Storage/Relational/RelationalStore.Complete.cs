using System.Text.Json;
using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<IReadOnlyList<ReportOutcome>> CompleteAsync(IReadOnlyList<PartReport> reports, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<ReportOutcome>>(tx =>
        {
            var steps = new Transitions(tx, Ms(now));
            var rules = new Dictionary<long, (int Retries, OnPartFailure Rule)>();

            // Set-based: the reported parts are read in one statement and the done ones written in one, so a
            // batch costs a few round trips to the database whatever its size.
            var parts = tx.Query(
                $"SELECT id, state, lease_no, owner, job_id, attempt FROM parts WHERE id IN ({tx.Sql.JsonLongs("@ids")})",
                r => new PartRow(r.GetInt64(0), (PartState)r.GetInt32(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4), r.GetInt32(5)),
                ("@ids", JsonSerializer.Serialize(reports.Select(x => x.PartId.Value).Distinct()))).ToDictionary(x => x.Id);
            var done = new List<DoneRow>();
            var outcomes = new ReportOutcome[reports.Count];
            for (var i = 0; i < reports.Count; i++)
            {
                outcomes[i] = Report(tx, steps, rules, parts, done, reports[i]);
            }

            if (done.Count > 0)
            {
                tx.Exec(tx.Sql.MarkPartsDone, ("@now", Ms(now)), ("@rows", JsonSerializer.Serialize(done)));
            }

            steps.Flush();
            return outcomes;
        }, ct);

    public Task<int> ExpireAsync(DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => FailLeases(tx, tx.Query(ExpiredParts, r => r.GetInt64(0), ("@now", Ms(now))), Ms(now), "lease expired"), ct);

    public Task<int> ReleaseOwnerAsync(string owner, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => FailLeases(tx, tx.Query(PartsOfOwner, r => r.GetInt64(0), ("@owner", owner)), Ms(now), "agent died"), ct);

    public Task<int> ReleaseOwnersByPrefixAsync(string prefix, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => FailLeases(tx, tx.Query(PartsOfOwnerPrefix, r => r.GetInt64(0), ("@prefix", prefix)), Ms(now), "agent lost at restart"), ct);

    public Task<bool> ReleasePartAsync(PartId part, long leaseId, string owner, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var job = tx.Long("SELECT job_id FROM parts WHERE id = @id AND state = 1 AND lease_no = @lease AND owner = @owner", ("@id", part.Value), ("@lease", leaseId), ("@owner", owner));
            if (job == 0)
            {
                return false;
            }

            tx.Exec("UPDATE parts SET state = 0, owner = NULL, host = NULL, deadline = NULL WHERE id = @id", ("@id", part.Value));
            tx.WorkReady = true;
            tx.Exec(JobCounts, ("@p", 0), ("@r", 1), ("@l", -1), ("@d", 0), ("@f", 0), ("@job", job));
            return true;
        }, ct);

    public Task<bool> ExtendLeaseAsync(PartId part, long leaseId, DateTimeOffset deadline, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec(ExtendLease, ("@deadline", Ms(deadline)), ("@id", part.Value), ("@lease", leaseId)) == 1, ct);

    private static int FailLeases(DbTx tx, List<long> parts, long now, string why)
    {
        var steps = new Transitions(tx, now);
        var rules = new Dictionary<long, (int, OnPartFailure)>();
        foreach (var part in parts)
        {
            var row = tx.One(PartForReport, r => new { Job = r.GetInt64(3), Attempt = r.GetInt32(4) }, ("@id", part))!;
            var (retries, rule) = RulesOf(tx, rules, row.Job);
            steps.FailTry(part, row.Job, row.Attempt, retries, rule, why);
        }

        steps.Flush();
        return parts.Count;
    }

    private static (int Retries, OnPartFailure Rule) RulesOf(DbTx tx, Dictionary<long, (int, OnPartFailure)> cache, long job)
    {
        if (!cache.TryGetValue(job, out var r))
        {
            r = tx.One(JobRulesSql, x => new { R = x.GetInt32(0), O = (OnPartFailure)x.GetInt32(1) }, ("@id", job)) is { } row
                ? (row.R, row.O)
                : (0, OnPartFailure.FailJob);
            cache[job] = r;
        }

        return r;
    }

    private static ReportOutcome Report(
        DbTx tx, Transitions steps, Dictionary<long, (int, OnPartFailure)> rules, Dictionary<long, PartRow> parts, List<DoneRow> done, PartReport report)
    {
        var outcome = Apply(tx, steps, rules, parts, done, report);
        if (report.HostResult is { } h && outcome is ReportOutcome.Accepted or ReportOutcome.AcceptedLate)
        {
            InsertHostResult(tx, h);
        }

        return outcome;
    }

    private static ReportOutcome Apply(
        DbTx tx, Transitions steps, Dictionary<long, (int, OnPartFailure)> rules, Dictionary<long, PartRow> parts, List<DoneRow> done, PartReport report)
    {
        if (!parts.TryGetValue(report.PartId.Value, out var part))
        {
            return ReportOutcome.UnknownPart;
        }

        if (part.State == PartState.Done)
        {
            return ReportOutcome.Duplicate;
        }

        if (report.LeaseId <= 0 || report.LeaseId > part.LeaseNo)
        {
            return ReportOutcome.NotOwner;
        }

        if (part.State == PartState.Failed)
        {
            return ReportOutcome.Ignored;
        }

        var current = part.State == PartState.Leased && part.LeaseNo == report.LeaseId;
        if (current && part.Owner != report.Owner)
        {
            return ReportOutcome.NotOwner;
        }

        if (report.Outcome == PartOutcome.Failed)
        {
            if (!current)
            {
                return ReportOutcome.Ignored;
            }

            var (retries, rule) = RulesOf(tx, rules, part.Job);
            steps.FailTry(report.PartId.Value, part.Job, part.Attempt, retries, rule, report.Log, report.Result);

            // A later report in this batch sees what this one did: the part is ready again, or failed for good.
            parts[part.Id] = part with { State = part.Attempt > retries ? PartState.Failed : PartState.Ready, Owner = null, Attempt = part.Attempt + 1 };
            return ReportOutcome.Accepted;
        }

        done.Add(new DoneRow(part.Id, report.Result, report.Log));
        parts[part.Id] = part with { State = PartState.Done, Owner = null };
        if (report.Items is { Count: > 0 } items)
        {
            steps.AddGeneratedParts(part.Job, items);
        }

        var d = steps.Delta(part.Job);
        d.Done++;
        if (part.State == PartState.Leased)
        {
            d.Leased--;
        }
        else
        {
            d.Ready--;
        }

        return current ? ReportOutcome.Accepted : ReportOutcome.AcceptedLate;
    }

    /// <summary>A reported part as the batch sees it.</summary>
    private sealed record PartRow(long Id, PartState State, long LeaseNo, string? Owner, long Job, int Attempt);

    /// <summary>A part to mark done (serialized as the JSON rows of <see cref="SqlDialect.MarkPartsDone"/>).</summary>
    private sealed record DoneRow(
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] long Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("result")] string? Result,
        [property: System.Text.Json.Serialization.JsonPropertyName("log")] string? Log);
}
