namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    private static readonly string[] Tables = ["streams", "jobs", "job_deps", "parts", "host_results", "sweeps", "schedules", "tokens"];

    public Task<int> PurgeAsync(DateTimeOffset before, int perHost, int batch, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var cutoff = Ms(before);
            var streams = tx.Query(
                "SELECT id FROM streams WHERE finished_at IS NOT NULL AND finished_at < @cutoff AND (notified_at IS NOT NULL) ORDER BY id LIMIT @batch",
                r => r.GetInt64(0), ("@cutoff", cutoff), ("@batch", batch));
            var removed = 0;
            foreach (var s in streams)
            {
                removed += tx.Exec("DELETE FROM parts WHERE job_id IN (SELECT id FROM jobs WHERE stream_id = @s)", ("@s", s));
                removed += tx.Exec("DELETE FROM job_deps WHERE job_id IN (SELECT id FROM jobs WHERE stream_id = @s)", ("@s", s));
                removed += tx.Exec("DELETE FROM jobs WHERE stream_id = @s", ("@s", s));
                removed += tx.Exec("DELETE FROM sweeps WHERE stream_id = @s", ("@s", s));
                removed += tx.Exec("DELETE FROM streams WHERE id = @s", ("@s", s));
            }

            removed += tx.Exec("DELETE FROM host_results WHERE id IN (SELECT id FROM host_results WHERE at < @cutoff LIMIT @batch)", ("@cutoff", cutoff), ("@batch", batch));
            removed += tx.Exec(
                """
                DELETE FROM host_results WHERE id IN (
                    SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY host ORDER BY at DESC, id DESC) AS n FROM host_results) ranked
                    WHERE n > @keep LIMIT @batch)
                """,
                ("@keep", perHost), ("@batch", batch));
            return removed;
        }, ct);

    public Task<IReadOnlyDictionary<string, long>> StatsAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyDictionary<string, long>>(tx =>
        {
            var stats = Tables.ToDictionary(t => t, t => tx.Long($"SELECT COUNT(*) FROM {t}"), StringComparer.Ordinal);
            stats["database_bytes"] = tx.Long(tx.Sql.DatabaseBytes);
            return stats;
        }, ct);
}
