namespace Shoal.Storage.Relational;

/// <summary>
/// The SQL statements both stores share (<see cref="SqlDialect"/> has the ones that differ).
/// Parameters only; nothing is concatenated from input.
/// </summary>
internal static class StoreSql
{
    // Jobs that may lease now: job ready or running, stream queued or running.
    public const string RunnableJob = "j.state IN (1, 2) AND s.state IN (0, 1)";

    public const string InsertStream =
        "INSERT INTO streams (name, owner, priority, state, created_at) VALUES (@name, @owner, @priority, 0, @now) RETURNING id";

    public const string InsertJob =
        """
        INSERT INTO jobs (stream_id, name, type, state, priority, retries, on_part_failure, timeout_ms, deps_pending, ready_at, n_parts, n_ready,
                          requires_tags, generator, wait_for_lock, collector)
        VALUES (@stream, @name, @type, @state, @priority, @retries, @opf, @timeout, @deps, @ready_at, @n, @n, @tags, @generator, @lock, @collector) RETURNING id
        """;

    public const string InsertDep = "INSERT INTO job_deps (job_id, dep_id) VALUES (@job, @dep)";


    public const string SetGenerateFrom = "UPDATE jobs SET generate_from = @dep WHERE id = @job";

    public const string GeneratedJobs = "SELECT id FROM jobs WHERE generate_from = @job AND state NOT IN (4, 5, 6)";

    // A slot is one agent (owner) holding leases; maxima count slots, so a chunk of many parts takes one.
    // Agents of a paused job are suspended and release their slots.
    public const string HostSlotsTaken =
        """
        SELECT COUNT(DISTINCT p.owner) FROM parts p JOIN jobs j ON j.id = p.job_id
        WHERE p.state = 1 AND p.host = @host AND p.owner <> @owner AND j.state <> 3
        """;

    public const string TypeSlotsTaken =
        """
        SELECT COUNT(DISTINCT p.owner) FROM jobs j JOIN parts p ON p.job_id = j.id AND p.state = 1
        WHERE j.n_leased > 0 AND j.type = @type AND p.owner <> @owner AND j.state <> 3
        """;

    public const string EffectivePriority = "(j.priority + (@now - j.ready_at) / @aging)";




    public const string JobLeased =
        """
        UPDATE jobs SET n_ready = n_ready - @k, n_leased = n_leased + @k,
            state = CASE WHEN state = 1 THEN 2 ELSE state END, started_at = COALESCE(started_at, @now)
        WHERE id = @job
        """;

    public const string StreamStarted = "UPDATE streams SET state = 1 WHERE id = @stream AND state = 0";

    // A try's end is written only while the part is still held by the lease that decided it (the caller has
    // the row locked; a changed row is a bug, and the transaction is run again).
    public const string PartFailed =
        """
        UPDATE parts SET state = 3, owner = NULL, deadline = NULL, finished_at = @now, result = @result, log = @log
        WHERE id = @id AND state = 1 AND lease_no = @lease
        """;

    public const string PartRetry =
        """
        UPDATE parts SET state = 0, attempt = attempt + 1, owner = NULL, host = NULL, deadline = NULL, log = COALESCE(@log, log)
        WHERE id = @id AND state = 1 AND lease_no = @lease
        """;

    // A lease of an ended job that runs out: the part was never finished, and no try is counted.
    public const string PartUnleased =
        "UPDATE parts SET state = 0, owner = NULL, host = NULL, deadline = NULL WHERE id = @id AND state = 1 AND lease_no = @lease";

    public const string JobCounts =
        """
        UPDATE jobs SET n_parts = n_parts + @p, n_ready = n_ready + @r, n_leased = n_leased + @l, n_done = n_done + @d, n_failed = n_failed + @f
        WHERE id = @job
        """;

    public const string JobForSettle =
        "SELECT state, n_ready, n_leased, n_failed, on_part_failure, stream_id, deps_pending, generator FROM jobs WHERE id = @id";

    // A job is finished by its parts, not only by its counters: asked only once the counters say nothing is left.
    public const string UnfinishedPart = "SELECT 1 FROM parts WHERE job_id = @id AND state IN (0, 1) LIMIT 1";

    public const string JobFinish =
        "UPDATE jobs SET state = @state, finished_at = @now, reason = COALESCE(@reason, reason) WHERE id = @id AND state NOT IN (4, 5, 6)";

    public const string Dependents = "SELECT job_id FROM job_deps WHERE dep_id = @id";

    public const string DependencyDone = "UPDATE jobs SET deps_pending = deps_pending - 1 WHERE id IN (SELECT job_id FROM job_deps WHERE dep_id = @id)";

    public const string UnblockDependents =
        """
        UPDATE jobs SET state = 1, ready_at = @now
        WHERE state = 0 AND deps_pending = 0 AND id IN (SELECT job_id FROM job_deps WHERE dep_id = @id)
        """;

    public const string EmptyUnblocked =
        """
        SELECT id FROM jobs WHERE state = 1 AND n_ready = 0 AND n_leased = 0
          AND id IN (SELECT job_id FROM job_deps WHERE dep_id = @id)
        """;

    public const string CancelJob =
        "UPDATE jobs SET state = 6, finished_at = @now, reason = @reason WHERE id = @id AND state NOT IN (4, 5, 6)";

    public const string StreamJobStates =
        "SELECT SUM(CASE WHEN state NOT IN (4, 5, 6) THEN 1 ELSE 0 END), SUM(CASE WHEN state = 5 THEN 1 ELSE 0 END), SUM(CASE WHEN state = 6 THEN 1 ELSE 0 END) FROM jobs WHERE stream_id = @id";

    public const string StreamFinish =
        "UPDATE streams SET state = @state, finished_at = @now WHERE id = @id AND state NOT IN (3, 4, 5)";


    public const string ExtendLease = "UPDATE parts SET deadline = @deadline WHERE id = @id AND state = 1 AND lease_no = @lease";

    public const string TimedOutJobs =
        "SELECT id FROM jobs WHERE state = 2 AND timeout_ms IS NOT NULL AND started_at + timeout_ms < @now";


    public const string StreamSelect = "SELECT id, name, owner, priority, state, created_at, finished_at, reason FROM streams";
}
