using System.Text.Json;
using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;
using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

/// <remarks>
/// Every transition here reads the rows that decide it locked (parts, then their jobs, each in id order) and writes
/// them only where they are still as read; the rows changed, not the rows read, move the job's counters. A report
/// is answered from the part as it is when the report's transaction holds it: so two servers applying the same
/// report, or an old and a new holder reporting at once, count the part done once.
/// </remarks>
public abstract partial class RelationalStore
{
    public Task<IReadOnlyList<ReportOutcome>> CompleteAsync(IReadOnlyList<PartReport> reports, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<ReportOutcome>>(tx =>
        {
            var steps = new Transitions(tx, Ms(now));

            // Set-based: the reported parts are read in one statement and the done ones written in one, so a
            // batch costs a few round trips to the database whatever its size.
            var parts = tx.Query(
                tx.Sql.PartsForReport,
                r => new PartRow(r.GetInt64(0), (PartState)r.GetInt32(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4), r.GetInt32(5)),
                ("@ids", JsonSerializer.Serialize(reports.Select(x => x.PartId.Value).Distinct()))).ToDictionary(x => x.Id);
            var jobs = steps.LockJobs(parts.Values.Select(p => p.Job));
            var done = new List<DoneRow>();
            var outcomes = new ReportOutcome[reports.Count];
            for (var i = 0; i < reports.Count; i++)
            {
                outcomes[i] = Report(tx, steps, jobs, parts, done, reports[i]);
            }

            if (done.Count > 0 && tx.Exec(tx.Sql.MarkPartsDone, ("@now", Ms(now)), ("@rows", JsonSerializer.Serialize(done))) != done.Count)
            {
                throw new StoreConflictException($"{done.Count} parts to mark done were not all as read");
            }

            steps.Flush();
            return outcomes;
        }, ct);

    public Task<int> ExpireAsync(DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => FailLeases(tx, tx.Query(tx.Sql.ExpiredParts, Held, ("@now", Ms(now))), Ms(now), "lease expired"), ct);

    public Task<int> ReadyRetriesAsync(DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            // The outer state test is checked again on the row as locked, so a part that changed meanwhile is left alone.
            var jobs = tx.Query(
                $"""
                UPDATE parts SET state = {PartReady}, retry_at = NULL
                WHERE state = {PartRetrying} AND id IN (
                    SELECT id FROM parts WHERE state = {PartRetrying} AND retry_at <= @now ORDER BY retry_at LIMIT 1000 {tx.Sql.LockReadyParts})
                RETURNING job_id
                """,
                r => r.GetInt64(0),
                ("@now", Ms(now)));
            foreach (var job in jobs.GroupBy(j => j).OrderBy(g => g.Key))
            {
                var n = job.Count();
                tx.Exec(JobCounts, ("@p", 0), ("@r", n), ("@l", 0), ("@d", 0), ("@f", 0), ("@w", -n), ("@job", job.Key));
            }

            tx.WorkReady |= jobs.Count > 0;
            return jobs.Count;
        }, ct);

    public Task<int> ReleaseOwnerAsync(string owner, string why, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => FailLeases(tx, tx.Query(tx.Sql.PartsOfOwner, Held, ("@owner", owner)), Ms(now), why), ct);

    public Task<int> ReleaseOwnersByPrefixAsync(string prefix, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => FailLeases(tx, tx.Query(tx.Sql.PartsOfOwnerPrefix, Held, ("@prefix", prefix)), Ms(now), "agent lost at restart"), ct);

    public Task<bool> ReleasePartAsync(PartId part, long leaseId, string owner, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            // One conditional statement: only the holder of the current lease gives the part back.
            var job = tx.Long(
                $"UPDATE parts SET state = {PartReady}, owner = NULL, host = NULL, deadline = NULL WHERE id = @id AND state = {PartLeased} AND lease_no = @lease AND owner = @owner RETURNING job_id",
                ("@id", part.Value), ("@lease", leaseId), ("@owner", owner));
            if (job == 0)
            {
                return false;
            }

            tx.WorkReady = true;
            tx.Exec(JobCounts, ("@p", 0), ("@r", 1), ("@l", -1), ("@d", 0), ("@f", 0), ("@w", 0), ("@job", job));
            return true;
        }, ct);

    private static HeldPart Held(System.Data.Common.DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetInt64(3));

    private static int FailLeases(DbTx tx, List<HeldPart> parts, long now, string why)
    {
        var steps = new Transitions(tx, now);
        var jobs = steps.LockJobs(parts.Select(p => p.Job));
        foreach (var part in parts)
        {
            steps.FailTry(part, jobs[part.Job], reported: false, why);
        }

        steps.Flush();
        return parts.Count;
    }

    private static ReportOutcome Report(
        DbTx tx, Transitions steps, IReadOnlyDictionary<long, JobFacts> jobs, Dictionary<long, PartRow> parts, List<DoneRow> done, PartReport report)
    {
        var outcome = Apply(steps, jobs, parts, done, report);
        if (report.HostResult is { } h && outcome is ReportOutcome.Accepted or ReportOutcome.AcceptedLate)
        {
            InsertHostResult(tx, h);
        }

        return outcome;
    }

    /// <summary>
    /// Decides one report from the part as read (locked), and records the change. A later report of the same batch
    /// sees what this one did. Rules (docs/rest-api.md): a done part answers duplicate; a lease never issued, or the
    /// current lease from another owner, is refused; the current holder's failure ends its try; a failure from a
    /// past lease changes nothing; an ok from the current or any past lease finishes a part that is not done,
    /// whatever it is now (ready, leased by another, failed for good), and the newer lease is void.
    /// </summary>
    private static ReportOutcome Apply(
        Transitions steps, IReadOnlyDictionary<long, JobFacts> jobs, Dictionary<long, PartRow> parts, List<DoneRow> done, PartReport report)
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

            var state = steps.FailTry(new HeldPart(part.Id, part.Job, part.Attempt, part.LeaseNo), jobs[part.Job], reported: true, report.Log, report.Result);
            parts[part.Id] = part with { State = state, Owner = null, Attempt = state is PartState.Ready or PartState.Retrying ? part.Attempt + 1 : part.Attempt };
            return ReportOutcome.Accepted;
        }

        done.Add(new DoneRow(part.Id, (int)part.State, part.LeaseNo, report.Result, report.Log));
        parts[part.Id] = part with { State = PartState.Done, Owner = null };
        if (report.Items is { Count: > 0 } items)
        {
            steps.AddGeneratedParts(part.Job, items);
        }

        var d = steps.Delta(part.Job);
        d.Done++;
        switch (part.State)
        {
            case PartState.Leased:
                d.Leased--;
                break;
            case PartState.Failed:
                d.Failed--;
                break;
            case PartState.Retrying:
                d.Retrying--;
                break;
            default:
                d.Ready--;
                break;
        }

        return current ? ReportOutcome.Accepted : ReportOutcome.AcceptedLate;
    }

    /// <summary>A reported part as the batch sees it.</summary>
    private sealed record PartRow(long Id, PartState State, long LeaseNo, string? Owner, long Job, int Attempt);

    /// <summary>
    /// A part to mark done (serialized as the JSON rows of <see cref="SqlDialect.MarkPartsDone"/>), with the state and
    /// lease it was read in: it is written only if it is still so.
    /// </summary>
    private sealed record DoneRow(
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] long Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("from")] int From,
        [property: System.Text.Json.Serialization.JsonPropertyName("lease")] long Lease,
        [property: System.Text.Json.Serialization.JsonPropertyName("result")] string? Result,
        [property: System.Text.Json.Serialization.JsonPropertyName("log")] string? Log);
}
