using System.Globalization;
using System.Data.Common;
using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;
using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<IReadOnlyList<StreamSummary>> ListStreamsAsync(StreamState? state, string? nameContains, string? owner, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<StreamSummary>>(tx => tx.Query(
            StreamListSelect + $" WHERE (CAST(@state AS INTEGER) IS NULL OR state = @state) AND (CAST(@name AS TEXT) IS NULL OR {tx.Sql.Contains("name", "@name")}) AND (CAST(@owner AS TEXT) IS NULL OR owner = @owner) ORDER BY id DESC LIMIT @limit",
            MapStream,
            ("@state", state is { } s ? (int)s : null),
            ("@name", nameContains),
            ("@owner", owner),
            ("@limit", limit)), ct);

    public Task<StreamDetail?> GetStreamAsync(StreamId id, CancellationToken ct) =>
        ReadAsync(tx =>
        {
            var stream = tx.One(StreamSelect + " WHERE id = @id", MapStream, ("@id", id.Value));
            return stream is null ? null : new StreamDetail(stream, tx.Query(tx.Sql.JobSelect + " WHERE stream_id = @id ORDER BY id", MapJob, ("@id", id.Value)));
        }, ct);

    public Task<JobView?> GetJobAsync(JobId id, CancellationToken ct) =>
        ReadAsync(tx => tx.One(tx.Sql.JobSelect + " WHERE id = @id", MapJob, ("@id", id.Value)), ct);

    public Task<IReadOnlyList<PartView>> GetPartsAsync(JobId job, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<PartView>>(tx => tx.Query(
            "SELECT id, job_id, state, attempt, lease_no, owner, payload, result FROM parts WHERE job_id = @job ORDER BY id",
            r => new PartView(
                new PartId(r.GetInt64(0)),
                new JobId(r.GetInt64(1)),
                (PartState)r.GetInt32(2),
                r.GetInt32(3),
                r.GetInt64(4),
                r.IsDBNull(5) ? null : r.GetString(5),
                r.GetString(6),
                r.IsDBNull(7) ? null : r.GetString(7)),
            ("@job", job.Value)), ct);

    public Task<bool> PartExistsAsync(PartId part, CancellationToken ct) =>
        ReadAsync(tx => tx.Long("SELECT COUNT(*) FROM parts WHERE id = @id", ("@id", part.Value)) > 0, ct);

    public Task<IReadOnlyList<JobDemand>> GetDemandAsync(DateTimeOffset now, TimeSpan? agingStep, IReadOnlyCollection<string>? types, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<JobDemand>>(tx => tx.Query(
            $"""
            SELECT j.id, j.stream_id, j.type, j.n_ready, j.n_leased, CASE WHEN j.wait_for_lock IS NULL THEN 0 ELSE 1 END, j.name, j.requires_tags
            FROM jobs j JOIN streams s ON s.id = j.stream_id
            WHERE {RunnableJob} AND j.n_ready > 0 AND (CAST(@types AS TEXT) IS NULL OR j.type IN ({tx.Sql.JsonValues("@types")}))
            ORDER BY {JobOrder} LIMIT 500
            """,
            r => new JobDemand(
                new JobId(r.GetInt64(0)), new StreamId(r.GetInt64(1)), r.GetString(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5) == 1, r.GetString(6),
                r.IsDBNull(7) ? null : System.Text.Json.JsonSerializer.Deserialize<List<string>>(r.GetString(7))),
            ("@now", Ms(now)),
            ("@aging", agingStep is { } a ? Math.Max(1L, (long)a.TotalMilliseconds) : NoAging),
            ("@types", types is null ? null : System.Text.Json.JsonSerializer.Serialize(types))), ct);

    public Task<IReadOnlyList<int>> GetReadyKeyBytesAsync(JobId job, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<int>>(tx => tx.Query(
            $"SELECT DISTINCT key_byte FROM parts WHERE job_id = @job AND state = {PartReady} AND key_byte IS NOT NULL",
            r => r.GetInt32(0),
            ("@job", job.Value)), ct);

    public Task<IReadOnlyDictionary<JobId, JobState>> GetJobStatesAsync(IReadOnlyCollection<JobId> jobs, CancellationToken ct) =>
        ReadAsync<IReadOnlyDictionary<JobId, JobState>>(tx => tx.Query(
            $"SELECT id, state FROM jobs WHERE id IN ({tx.Sql.JsonLongs("@ids")})",
            r => (Id: new JobId(r.GetInt64(0)), State: (JobState)r.GetInt32(1)),
            ("@ids", System.Text.Json.JsonSerializer.Serialize(jobs.Select(j => j.Value)))).ToDictionary(x => x.Id, x => x.State), ct);

    public Task<IReadOnlyDictionary<string, int>> CountLeasesByOwnerAsync(string prefix, CancellationToken ct) =>
        ReadAsync<IReadOnlyDictionary<string, int>>(tx => tx.Query(
                $"SELECT owner, COUNT(*) FROM parts WHERE state = {PartLeased} AND {tx.Sql.StartsWith("owner", "@prefix")} GROUP BY owner",
                r => (Owner: r.GetString(0), Count: (int)r.GetInt64(1)),
                ("@prefix", prefix))
            .ToDictionary(x => x.Owner, x => x.Count, StringComparer.Ordinal), ct);

    public Task<IReadOnlyDictionary<JobId, int>> CountLeaseHoldersByJobAsync(string prefix, CancellationToken ct) =>
        ReadAsync<IReadOnlyDictionary<JobId, int>>(tx => tx.Query(
                $"SELECT job_id, COUNT(DISTINCT owner) FROM parts WHERE state = {PartLeased} AND {tx.Sql.StartsWith("owner", "@prefix")} GROUP BY job_id",
                r => (Job: new JobId(r.GetInt64(0)), Count: (int)r.GetInt64(1)),
                ("@prefix", prefix))
            .ToDictionary(x => x.Job, x => x.Count), ct);

    public Task<WhyFacts?> GetWhyFactsAsync(JobId id, DateTimeOffset now, TimeSpan? agingStep, CancellationToken ct) =>
        ReadAsync(tx =>
        {
            var job = tx.One(tx.Sql.JobSelect + " WHERE id = @id", MapJob, ("@id", id.Value));
            if (job is null)
            {
                return null;
            }

            var streamState = (StreamState)tx.Long("SELECT state FROM streams WHERE id = @id", ("@id", job.StreamId.Value));
            var pending = tx.Query(
                $"SELECT j.name, j.state FROM job_deps d JOIN jobs j ON j.id = d.dep_id WHERE d.job_id = @id AND j.state <> {JobCompleted} ORDER BY j.id",
                r => (r.GetString(0), (JobState)r.GetInt32(1)),
                ("@id", id.Value));
            var typeLeased = (int)tx.Long(TypeSlotsTaken, ("@type", job.Type), ("@owner", ""));
            var aging = agingStep is { } a ? Math.Max(1L, (long)a.TotalMilliseconds) : NoAging;
            // The parts that go first: by priority (forced, or higher), or of the same priority and queued earlier; a job
            // needing tags this one does not need is not ahead of it (the agents that skip it take this one).
            var (ahead, earlier) = tx.One(
                $"""
                SELECT COALESCE(SUM(CASE WHEN j.forced > me.forced OR (j.forced = me.forced AND {EffectivePriority} > {MyPriority}) THEN j.n_ready ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN j.forced = me.forced AND {EffectivePriority} = {MyPriority} THEN j.n_ready ELSE 0 END), 0)
                FROM jobs j JOIN streams s ON s.id = j.stream_id, jobs me
                WHERE me.id = @id AND {RunnableJob} AND j.n_ready > 0 AND j.type = me.type AND j.id <> me.id
                  AND {JobAheadOfMe}
                  AND (j.requires_tags IS NULL OR NOT EXISTS (SELECT 1 FROM ({tx.Sql.JsonValues("j.requires_tags")}) t
                       WHERE t.value NOT IN ({tx.Sql.JsonValues("COALESCE(me.requires_tags, '[]')")})))
                """,
                r => Tuple.Create((int)r.GetInt64(0), (int)r.GetInt64(1)),
                ("@id", id.Value), ("@now", Ms(now)), ("@aging", aging))!;
            var tagsJson = tx.One("SELECT requires_tags FROM jobs WHERE id = @id", r => r.IsDBNull(0) ? "" : r.GetString(0), ("@id", id.Value));
            var tags = string.IsNullOrEmpty(tagsJson) ? [] : System.Text.Json.JsonSerializer.Deserialize<List<string>>(tagsJson) ?? [];
            var withTags = tags.Count == 0 ? 0 : tx.Query(
                    "SELECT tags FROM tokens WHERE role = 'agent' AND revoked_at IS NULL AND tags IS NOT NULL",
                    r => System.Text.Json.JsonSerializer.Deserialize<List<string>>(r.GetString(0)) ?? [])
                .Count(t => tags.All(t.Contains));
            var holders = tx.Query(
                $"""
                SELECT DISTINCT j.id, j.name FROM jobs j JOIN parts p ON p.job_id = j.id AND p.state = {PartLeased}
                WHERE j.n_leased > 0 AND j.type = @type AND j.id <> @id ORDER BY j.id LIMIT 5
                """,
                r => (r.GetInt64(0), r.GetString(1)),
                ("@type", job.Type), ("@id", id.Value));
            var retry = job.Parts.Retrying == 0 ? null : tx.One(
                $"SELECT id, payload, attempt, retry_at FROM parts WHERE job_id = @id AND state = {PartRetrying} ORDER BY retry_at, id LIMIT 1",
                r => new NextRetry(new PartId(r.GetInt64(0)), r.GetString(1), r.GetInt32(2), FromMs(r.GetValue(3))!.Value),
                ("@id", id.Value));
            return new WhyFacts(job, streamState, pending, typeLeased, ahead, earlier, tags, withTags, holders, retry);
        }, ct);

    private static StreamSummary MapStream(DbDataReader r) => new(
        new StreamId(r.GetInt64(0)),
        r.GetString(1),
        r.GetString(2),
        r.GetInt32(3),
        (StreamState)r.GetInt32(4),
        FromMs(r.GetValue(5))!.Value,
        FromMs(r.GetValue(6)),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        FromMs(r.GetValue(9)),
        r.FieldCount > 10 ? new StreamTotals(Convert.ToInt64(r.GetValue(10), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(11), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(12), CultureInfo.InvariantCulture)) : null);

    private static JobView MapJob(DbDataReader r) => new(
        new JobId(r.GetInt64(0)),
        new StreamId(r.GetInt64(1)),
        r.GetString(2),
        r.GetString(3),
        (JobState)r.GetInt32(4),
        r.GetInt32(5),
        new PartCounts(r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9), r.GetInt32(17)),
        r.IsDBNull(10) ? null : r.GetString(10),
        FromMs(r.GetValue(11)),
        FromMs(r.GetValue(12)),
        FromMs(r.GetValue(13)),
        r.IsDBNull(14) ? [] : r.GetString(14).Split(',').Select(s => new JobId(long.Parse(s, System.Globalization.CultureInfo.InvariantCulture))).ToList(),
        r.IsDBNull(15) ? null : r.GetString(15),
        r.IsDBNull(16) ? null : r.GetString(16));
}
