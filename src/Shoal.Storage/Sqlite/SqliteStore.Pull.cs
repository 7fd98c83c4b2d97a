using System.Text.Json;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using static Shoal.Storage.Sqlite.SqliteSql;

namespace Shoal.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public Task<HeartbeatOutcome?> HeartbeatAsync(PartId part, long leaseId, string owner, Func<string, DateTimeOffset> deadlineOf, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var row = tx.One(
                "SELECT j.state, s.state, j.type FROM parts p JOIN jobs j ON j.id = p.job_id JOIN streams s ON s.id = j.stream_id WHERE p.id = @id",
                r => new { Job = (JobState)r.GetInt32(0), Stream = (StreamState)r.GetInt32(1), Type = r.GetString(2) },
                ("@id", part.Value));
            if (row is null)
            {
                return null;
            }

            var deadline = deadlineOf(row.Type);
            var extended = tx.Exec(
                "UPDATE parts SET deadline = @deadline WHERE id = @id AND state = 1 AND lease_no = @lease AND owner = @owner",
                ("@deadline", Ms(deadline)), ("@id", part.Value), ("@lease", leaseId), ("@owner", owner)) == 1;
            return new HeartbeatOutcome(extended, deadline, row.Job, row.Stream);
        }, ct);

    public Task<ControlOutcome> ForceJobAsync(JobId id, CancellationToken ct) =>
        WriteAsync(tx => Outcome(tx, "jobs", id.Value, tx.Exec("UPDATE jobs SET forced = 1 WHERE id = @id AND state NOT IN (4, 5, 6)", ("@id", id.Value))), ct);

    public Task<JobId?> GeneratePartsAsync(int limit, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var job = tx.One(
                "SELECT id, generator, gen_next, state FROM jobs WHERE generator IS NOT NULL ORDER BY id LIMIT 1",
                r => new { Id = r.GetInt64(0), Spec = JsonSerializer.Deserialize<GeneratorSpec>(r.GetString(1))!, Next = r.GetInt64(2), State = (JobState)r.GetInt32(3) });
            if (job is null)
            {
                return (JobId?)null;
            }

            // The range was validated at submit; an unparsable one (never expected) generates nothing.
            var total = IpRange.TryParse(job.Spec.Range, out var range, out _) ? range!.PartCount(job.Spec.Chunk) : 0;
            var end = job.State.IsTerminal() ? job.Next : Math.Min(total, job.Next + limit);
            for (var i = job.Next; i < end; i++)
            {
                tx.Exec(InsertPart, ("@job", job.Id), ("@payload", range!.Part(i, job.Spec.Chunk)), ("@key", null), ("@key_byte", null), ("@is_json", 0));
            }

            var added = (int)(end - job.Next);
            var done = end >= total || job.State.IsTerminal();
            tx.Exec(
                "UPDATE jobs SET gen_next = @next, generator = CASE WHEN @done THEN NULL ELSE generator END, n_parts = n_parts + @k, n_ready = n_ready + @k WHERE id = @id",
                ("@next", end), ("@done", done), ("@k", added), ("@id", job.Id));
            if (done)
            {
                // The last batch may have been leased and completed already: the job may be finished.
                new SqliteTransitions(tx, Ms(now)).Settle(job.Id);
            }

            return new JobId(job.Id);
        }, ct);
}
