using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;
using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<ControlOutcome> PauseStreamAsync(StreamId id, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => Outcome(tx, "streams", id.Value, tx.Exec($"UPDATE streams SET state = {StreamPaused} WHERE id = @id AND state IN {StreamLive}", ("@id", id.Value))), ct);

    public Task<ControlOutcome> ResumeStreamAsync(StreamId id, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var changed = tx.Exec(
                $"""
                UPDATE streams SET state = CASE WHEN EXISTS (SELECT 1 FROM jobs WHERE stream_id = @id AND started_at IS NOT NULL) THEN {StreamRunning} ELSE {StreamQueued} END
                WHERE id = @id AND state = {StreamPaused}
                """,
                ("@id", id.Value));
            tx.WorkReady = changed > 0;
            return Outcome(tx, "streams", id.Value, changed);
        }, ct);

    public Task<ControlOutcome> CancelStreamAsync(StreamId id, string reason, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var changed = tx.Exec(
                $"UPDATE streams SET state = {StreamCancelled}, finished_at = @now, reason = @reason, stuck_reason = NULL, stuck_since = NULL WHERE id = @id AND state NOT IN {StreamEnded}",
                ("@now", Ms(now)), ("@reason", reason), ("@id", id.Value));
            if (changed == 1)
            {
                // The jobs are locked in id order first, as every transition locks them, so a cancel and a report do not deadlock.
                tx.Query($"SELECT id FROM jobs WHERE stream_id = @id ORDER BY id {tx.Sql.LockRows}", r => r.GetInt64(0), ("@id", id.Value));
                tx.Exec(
                    $"UPDATE jobs SET state = {JobCancelled}, finished_at = @now, reason = @reason WHERE stream_id = @id AND state NOT IN {JobEnded}",
                    ("@now", Ms(now)), ("@reason", reason), ("@id", id.Value));
            }

            return Outcome(tx, "streams", id.Value, changed);
        }, ct);

    public Task<ControlOutcome> SetJobPriorityAsync(JobId id, int priority, CancellationToken ct) =>
        WriteAsync(tx => Outcome(tx, "jobs", id.Value, tx.Exec($"UPDATE jobs SET priority = @p WHERE id = @id AND state NOT IN {JobEnded}", ("@p", priority), ("@id", id.Value))), ct);

    public Task SetJobMessageAsync(JobId id, string message, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec("UPDATE jobs SET message = @m WHERE id = @id", ("@m", message), ("@id", id.Value)), ct);

    public Task<ControlOutcome> PauseJobAsync(JobId id, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => Outcome(tx, "jobs", id.Value, tx.Exec($"UPDATE jobs SET state = {JobPaused} WHERE id = @id AND state IN {JobPausable}", ("@id", id.Value))), ct);

    public Task<ControlOutcome> ResumeJobAsync(JobId id, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var changed = tx.Exec(
                $"""
                UPDATE jobs SET state = CASE WHEN deps_pending > 0 THEN {JobBlocked} WHEN started_at IS NOT NULL THEN {JobRunning} ELSE {JobReady} END,
                    ready_at = CASE WHEN deps_pending > 0 THEN ready_at ELSE COALESCE(ready_at, @now) END
                WHERE id = @id AND state = {JobPaused}
                """,
                ("@now", Ms(now)), ("@id", id.Value));
            if (changed == 1)
            {
                tx.WorkReady = true;
                // Everything may have finished while it was paused.
                new Transitions(tx, Ms(now)).Settle(id.Value);
            }

            return Outcome(tx, "jobs", id.Value, changed);
        }, ct);

    public Task<ControlOutcome> EndJobAsync(JobId id, JobState state, string reason, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var live = tx.Long($"SELECT COUNT(*) FROM jobs WHERE id = @id AND state NOT IN {JobEnded}", ("@id", id.Value)) > 0;
            if (live)
            {
                new Transitions(tx, Ms(now)).EndJob(id.Value, state, reason);
            }

            return Outcome(tx, "jobs", id.Value, live ? 1 : 0);
        }, ct);

    public Task<IReadOnlyList<JobId>> FailTimedOutJobsAsync(DateTimeOffset now, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<JobId>>(tx =>
        {
            var jobs = tx.Query(TimedOutJobs, r => r.GetInt64(0), ("@now", Ms(now)));
            var steps = new Transitions(tx, Ms(now));
            foreach (var job in jobs)
            {
                var limit = tx.Long("SELECT timeout_ms FROM jobs WHERE id = @id", ("@id", job));
                steps.FailJob(job, $"timed out after {limit / 1000.0:0.###} s");
            }

            return jobs.Select(j => new JobId(j)).ToList();
        }, ct);

    private static ControlOutcome Outcome(DbTx tx, string table, long id, int changed) =>
        changed > 0 ? ControlOutcome.Done
        : tx.Long(table == "jobs" ? "SELECT COUNT(*) FROM jobs WHERE id = @id" : "SELECT COUNT(*) FROM streams WHERE id = @id", ("@id", id)) > 0
            ? ControlOutcome.InvalidState
            : ControlOutcome.NotFound;
}
