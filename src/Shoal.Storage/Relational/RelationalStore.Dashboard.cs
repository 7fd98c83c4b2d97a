using Shoal.Core.Model;
using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<StoreCounts> CountsAsync(CancellationToken ct) =>
        ReadAsync(tx =>
        {
            var streams = tx.Query("SELECT state, COUNT(*) FROM streams GROUP BY state", r => (((StreamState)r.GetInt32(0)).Name(), r.GetInt64(1)))
                .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
            var jobs = tx.Query("SELECT state, COUNT(*) FROM jobs GROUP BY state", r => (((JobState)r.GetInt32(0)).Name(), r.GetInt64(1)))
                .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
            var parts = tx.One(
                "SELECT COALESCE(SUM(n_ready), 0), COALESCE(SUM(n_leased), 0), COALESCE(SUM(n_done), 0), COALESCE(SUM(n_failed), 0), COALESCE(SUM(n_retrying), 0) FROM jobs",
                r => Enumerable.Range(0, 5).Select(i => Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).ToArray())!;
            var stuck = tx.Long("SELECT COUNT(*) FROM streams WHERE stuck_reason IS NOT NULL");
            return new StoreCounts(streams, jobs, parts[0], parts[1], parts[2], parts[3], stuck, parts[4]);
        }, ct);

    public Task<IReadOnlyList<FailedPart>> GetFailedPartsAsync(JobId job, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<FailedPart>>(tx => tx.Query(
            $"SELECT id, payload, attempt, result, log, host FROM parts WHERE job_id = @job AND state = {PartFailed} ORDER BY id LIMIT @limit",
            r => new FailedPart(
                new PartId(r.GetInt64(0)), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)),
            ("@job", job.Value), ("@limit", limit)), ct);
}
