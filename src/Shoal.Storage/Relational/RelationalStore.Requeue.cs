using Shoal.Core.Model;
using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    /// <summary>
    /// A job that can be requeued: failed (by a part, a kill, a time-out or an invalid type), or with failed parts while
    /// it runs or after it completed (<c>on_part_failure = continue</c>); a cancelled one cannot.
    /// </summary>
    private static readonly string Requeueable = $"(state = {JobFailed} OR (state <> {JobCancelled} AND n_failed > 0))";

    public Task<ControlOutcome> RequeueJobAsync(JobId id, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var stream = tx.Long("SELECT stream_id FROM jobs WHERE id = @id", ("@id", id.Value));
            if (stream == 0)
            {
                return ControlOutcome.NotFound;
            }

            var requeueable = LockForRequeue(tx, stream);
            return requeueable.Contains(id.Value) && Requeue(tx, stream, [id.Value], Ms(now)) ? ControlOutcome.Done : ControlOutcome.InvalidState;
        }, ct);

    public Task<ControlOutcome> RequeueStreamAsync(StreamId id, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            if (tx.Long("SELECT COUNT(*) FROM streams WHERE id = @id", ("@id", id.Value)) == 0)
            {
                return ControlOutcome.NotFound;
            }

            var requeueable = LockForRequeue(tx, id.Value);
            return requeueable.Count > 0 && Requeue(tx, id.Value, requeueable, Ms(now)) ? ControlOutcome.Done : ControlOutcome.InvalidState;
        }, ct);

    /// <summary>Locks the stream's jobs in id order (as every transition locks them) and returns those that can be requeued.</summary>
    private static List<long> LockForRequeue(DbTx tx, long stream) =>
        tx.Query(
            $"SELECT id, CASE WHEN {Requeueable} THEN 1 ELSE 0 END FROM jobs WHERE stream_id = @s ORDER BY id {tx.Sql.LockRows}",
            r => (Id: r.GetInt64(0), Requeueable: r.GetInt32(1) == 1),
            ("@s", stream)).Where(j => j.Requeueable).Select(j => j.Id).ToList();

    /// <summary>
    /// Gives <paramref name="jobs"/>' failed parts fresh tries and re-opens the jobs, the dependents their failure
    /// cancelled ("dependency failed", transitively) and the stream. A stream an operator cancelled stays cancelled.
    /// </summary>
    private static bool Requeue(DbTx tx, long stream, IReadOnlyList<long> jobs, long now)
    {
        if (tx.Long($"SELECT state FROM streams WHERE id = @s", ("@s", stream)) == (long)StreamState.Cancelled)
        {
            return false;
        }

        foreach (var job in jobs)
        {
            var parts = tx.Exec(
                $"""
                UPDATE parts SET state = {PartReady}, attempt = 1, owner = NULL, host = NULL, deadline = NULL, finished_at = NULL, result = NULL
                WHERE job_id = @id AND state = {PartFailed}
                """,
                ("@id", job));
            // An ended job starts again from now (one that timed out gets its whole time limit again); a live one keeps
            // its state and gains the parts. (Every expression reads the row as it was.)
            tx.Exec(
                $"""
                UPDATE jobs SET n_ready = n_ready + @n, n_failed = n_failed - @n,
                    state = CASE WHEN state NOT IN {JobEnded} THEN state WHEN deps_pending > 0 THEN {JobBlocked} ELSE {JobReady} END,
                    ready_at = CASE WHEN state NOT IN {JobEnded} THEN ready_at WHEN deps_pending > 0 THEN NULL ELSE @now END,
                    started_at = CASE WHEN state NOT IN {JobEnded} THEN started_at END,
                    finished_at = NULL,
                    reason = CASE WHEN state NOT IN {JobEnded} THEN reason END
                WHERE id = @id
                """,
                ("@n", parts), ("@now", now), ("@id", job));
            ReopenCancelledDependents(tx, job);
            // Jobs generated from its outputs wait for it again: the parts it runs again may add items to them.
            tx.Exec(
                $"""
                UPDATE jobs SET state = {JobBlocked}, finished_at = NULL, ready_at = NULL,
                    deps_pending = (SELECT COUNT(*) FROM job_deps d JOIN jobs p ON p.id = d.dep_id WHERE d.job_id = jobs.id AND p.state <> {JobCompleted})
                WHERE generate_from = @id AND state = {JobCompleted}
                """,
                ("@id", job));
        }

        tx.Exec(
            $"""
            UPDATE streams SET state = {StreamQueued}, finished_at = NULL, reason = NULL, notified_at = NULL
            WHERE id = @s AND state IN {StreamEnded}
            """,
            ("@s", stream));
        tx.WorkReady = true;
        // A job that failed with nothing left to run (killed, timed out) completes at once.
        var steps = new Transitions(tx, now);
        foreach (var job in jobs)
        {
            steps.Settle(job);
        }

        return true;
    }

    /// <summary>The jobs cancelled because <paramref name="job"/> failed wait for their dependencies again.</summary>
    private static void ReopenCancelledDependents(DbTx tx, long job)
    {
        var queue = new Queue<long>([job]);
        while (queue.Count > 0)
        {
            foreach (var dependent in tx.Query(
                $"SELECT j.id FROM job_deps d JOIN jobs j ON j.id = d.job_id WHERE d.dep_id = @id AND j.state = {JobCancelled} AND j.reason = @why",
                r => r.GetInt64(0),
                ("@id", (object?)queue.Dequeue()),
                ("@why", Transitions.DependencyFailed)))
            {
                tx.Exec(
                    $"""
                    UPDATE jobs SET state = {JobBlocked}, finished_at = NULL, reason = NULL, ready_at = NULL, started_at = NULL,
                        deps_pending = (SELECT COUNT(*) FROM job_deps d JOIN jobs p ON p.id = d.dep_id WHERE d.job_id = @id AND p.state <> {JobCompleted})
                    WHERE id = @id
                    """,
                    ("@id", dependent));
                queue.Enqueue(dependent);
            }
        }
    }
}
