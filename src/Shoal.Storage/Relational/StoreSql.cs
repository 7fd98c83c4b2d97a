using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

/// <summary>
/// The SQL statements both stores share (<see cref="SqlDialect"/> has the ones that differ).
/// Parameters only; nothing is concatenated from input.
/// </summary>
internal static class StoreSql
{
    // Jobs that may lease now: job ready or running, stream queued or running.
    public static readonly string RunnableJob = $"j.state IN {JobRunnable} AND s.state IN {StreamLive}";

    public static readonly string InsertStream =
        $"INSERT INTO streams (name, owner, priority, state, created_at) VALUES (@name, @owner, @priority, {StreamQueued}, @now) RETURNING id";

    public const string InsertJob =
        """
        INSERT INTO jobs (stream_id, name, type, state, priority, retries, on_part_failure, timeout_ms, deps_pending, ready_at, n_parts, n_ready,
                          requires_tags, generator, wait_for_lock, collector, retry_policy)
        VALUES (@stream, @name, @type, @state, @priority, @retries, @opf, @timeout, @deps, @ready_at, @n, @n, @tags, @generator, @lock, @collector, @retry) RETURNING id
        """;

    public const string InsertDep = "INSERT INTO job_deps (job_id, dep_id) VALUES (@job, @dep)";

    public const string SetGenerateFrom = "UPDATE jobs SET generate_from = @dep WHERE id = @job";

    public static readonly string GeneratedJobs = $"SELECT id FROM jobs WHERE generate_from = @job AND state NOT IN {JobEnded}";

    // A slot is one agent (owner) holding leases; maxima count slots, so a chunk of many parts takes one.
    // Agents of a paused job are suspended and release their slots.
    public static readonly string HostSlotsTaken =
        $"""
        SELECT COUNT(DISTINCT p.owner) FROM parts p JOIN jobs j ON j.id = p.job_id
        WHERE p.state = {PartLeased} AND p.host = @host AND p.owner <> @owner AND j.state <> {JobPaused}
        """;

    public static readonly string TypeSlotsTaken =
        $"""
        SELECT COUNT(DISTINCT p.owner) FROM jobs j JOIN parts p ON p.job_id = j.id AND p.state = {PartLeased}
        WHERE j.n_leased > 0 AND j.type = @type AND p.owner <> @owner AND j.state <> {JobPaused}
        """;

    public const string EffectivePriority = "(j.priority + (@now - j.ready_at) / @aging)";

    /// <summary>The lease order of jobs (<c>j</c>): forced first, then effective priority (aged), then the oldest.</summary>
    public const string JobOrder = $"j.forced DESC, {EffectivePriority} DESC, j.id";

    /// <summary>Whether job <c>j</c> comes before job <c>me</c> in <see cref="JobOrder"/> (the same order, as a predicate).</summary>
    public const string JobAheadOfMe =
        $"""
        (j.forced > me.forced OR (j.forced = me.forced AND ({EffectivePriority} > {MyPriority}
            OR ({EffectivePriority} = {MyPriority} AND j.id < me.id))))
        """;

    public const string MyPriority = "(me.priority + (@now - COALESCE(me.ready_at, @now)) / @aging)";

    public static readonly string JobLeased =
        $"""
        UPDATE jobs SET n_ready = n_ready - @k, n_leased = n_leased + @k,
            state = CASE WHEN state = {JobReady} THEN {JobRunning} ELSE state END, started_at = COALESCE(started_at, @now)
        WHERE id = @job
        """;

    public static readonly string StreamStarted = $"UPDATE streams SET state = {StreamRunning} WHERE id = @stream AND state = {StreamQueued}";

    // A try's end is written only while the part is still held by the lease that decided it (the caller has
    // the row locked; a changed row is a bug, and the transaction is run again).
    public static readonly string PartFailedTry =
        $"""
        UPDATE parts SET state = {StateSql.PartFailed}, owner = NULL, deadline = NULL, finished_at = @now, result = @result, log = @log
        WHERE id = @id AND state = {PartLeased} AND lease_no = @lease
        """;

    public static readonly string PartRetry =
        $"""
        UPDATE parts SET state = {PartReady}, attempt = attempt + 1, owner = NULL, host = NULL, deadline = NULL, log = COALESCE(@log, log)
        WHERE id = @id AND state = {PartLeased} AND lease_no = @lease
        """;

    // A failed try of a job with a retry delay: the part waits until @at, then the leader's tick makes it ready.
    public static readonly string PartRetryLater =
        $"""
        UPDATE parts SET state = {PartRetrying}, attempt = attempt + 1, owner = NULL, host = NULL, deadline = NULL, retry_at = @at, log = COALESCE(@log, log)
        WHERE id = @id AND state = {PartLeased} AND lease_no = @lease
        """;

    // A lease of an ended job that runs out: the part was never finished, and no try is counted.
    public static readonly string PartUnleased =
        $"UPDATE parts SET state = {PartReady}, owner = NULL, host = NULL, deadline = NULL WHERE id = @id AND state = {PartLeased} AND lease_no = @lease";

    public const string JobCounts =
        """
        UPDATE jobs SET n_parts = n_parts + @p, n_ready = n_ready + @r, n_leased = n_leased + @l, n_done = n_done + @d, n_failed = n_failed + @f,
                        n_retrying = n_retrying + @w
        WHERE id = @job
        """;

    public const string JobForSettle =
        "SELECT state, n_ready, n_leased, n_failed, on_part_failure, stream_id, deps_pending, generator, n_retrying FROM jobs WHERE id = @id";

    // A job is finished by its parts, not only by its counters: asked only once the counters say nothing is left.
    public static readonly string UnfinishedPart = $"SELECT 1 FROM parts WHERE job_id = @id AND state IN {PartOpen} LIMIT 1";

    public static readonly string JobFinish =
        $"UPDATE jobs SET state = @state, finished_at = @now, reason = COALESCE(@reason, reason) WHERE id = @id AND state NOT IN {JobEnded}";

    public const string Dependents = "SELECT job_id FROM job_deps WHERE dep_id = @id";

    public const string DependencyDone = "UPDATE jobs SET deps_pending = deps_pending - 1 WHERE id IN (SELECT job_id FROM job_deps WHERE dep_id = @id)";

    public static readonly string UnblockDependents =
        $"""
        UPDATE jobs SET state = {JobReady}, ready_at = @now
        WHERE state = {JobBlocked} AND deps_pending = 0 AND id IN (SELECT job_id FROM job_deps WHERE dep_id = @id)
        """;

    public static readonly string EmptyUnblocked =
        $"""
        SELECT id FROM jobs WHERE state = {JobReady} AND n_ready = 0 AND n_leased = 0
          AND id IN (SELECT job_id FROM job_deps WHERE dep_id = @id)
        """;

    public static readonly string CancelJob =
        $"UPDATE jobs SET state = {JobCancelled}, finished_at = @now, reason = @reason WHERE id = @id AND state NOT IN {JobEnded}";

    public static readonly string StreamJobStates =
        $"SELECT SUM(CASE WHEN state NOT IN {JobEnded} THEN 1 ELSE 0 END), SUM(CASE WHEN state = {JobFailed} THEN 1 ELSE 0 END), SUM(CASE WHEN state = {JobCancelled} THEN 1 ELSE 0 END) FROM jobs WHERE stream_id = @id";

    public static readonly string StreamFinish =
        $"UPDATE streams SET state = @state, finished_at = @now, stuck_reason = NULL, stuck_since = NULL WHERE id = @id AND state NOT IN {StreamEnded}";

    public static readonly string TimedOutJobs =
        $"SELECT id FROM jobs WHERE state = {JobRunning} AND timeout_ms IS NOT NULL AND started_at + timeout_ms < @now";

    public const string StreamSelect = "SELECT id, name, owner, priority, state, created_at, finished_at, reason, stuck_reason, stuck_since FROM streams";

    /// <summary><see cref="StreamSelect"/> with each stream's part totals (all parts, done, failed) summed over its jobs' counters.</summary>
    public const string StreamListSelect =
        "SELECT id, name, owner, priority, state, created_at, finished_at, reason, stuck_reason, stuck_since, " +
        "(SELECT COALESCE(SUM(n_ready + n_leased + n_done + n_failed + n_retrying), 0) FROM jobs j WHERE j.stream_id = streams.id), " +
        "(SELECT COALESCE(SUM(n_done), 0) FROM jobs j WHERE j.stream_id = streams.id), " +
        "(SELECT COALESCE(SUM(n_failed), 0) FROM jobs j WHERE j.stream_id = streams.id) FROM streams";
}
