using System.Data.Common;
using static Shoal.Storage.Relational.StoreSql;

using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

/// <summary>What differs between the SQL of SQLite and of PostgreSQL; the statements built from it are made once.</summary>
internal abstract class SqlDialect
{
    /// <summary>A sub-select of the elements (as <c>value</c>, text) of the JSON array <paramref name="json"/>.</summary>
    public abstract string JsonValues(string json);

    /// <summary>A sub-select of the elements of the JSON array of numbers <paramref name="json"/>, as BIGINT.</summary>
    public string JsonLongs(string json) => $"SELECT CAST(value AS BIGINT) FROM ({JsonValues(json)}) n";

    /// <summary>Element <paramref name="index"/> of the JSON array text <paramref name="json"/>, as an integer.</summary>
    public abstract string JsonInt(string json, int index);

    /// <summary>The values of <paramref name="expr"/> joined with commas.</summary>
    public abstract string CommaList(string expr);

    /// <summary>True when <paramref name="haystack"/> contains <paramref name="needle"/> (case-sensitive).</summary>
    public abstract string Contains(string haystack, string needle);

    /// <summary>True when <paramref name="text"/> starts with <paramref name="prefix"/> (case-sensitive), written so that an index on <paramref name="text"/> serves it.</summary>
    public abstract string StartsWith(string text, string prefix);

    /// <summary>
    /// Marks parts done in one statement: <c>@rows</c> is a JSON array of <c>{"id", "result", "log"}</c>, <c>@now</c> the time.
    /// </summary>
    public abstract string MarkPartsDone { get; }

    /// <summary>
    /// Adds ready parts to job <c>@job</c> in one statement, in order: <c>@rows</c> is a JSON array of
    /// <c>{"p": payload, "k": key, "b": key byte, "j": 1 when the payload is JSON}</c>.
    /// </summary>
    public abstract string InsertParts { get; }

    /// <summary>Appended to the sub-select that picks the parts to lease.</summary>
    public abstract string LockReadyParts { get; }

    /// <summary>
    /// Appended to a read whose rows decide a transition: with several writers the rows are locked (in the order
    /// read, which is by id) until the transaction ends, so what was read is what the update changes.
    /// </summary>
    public abstract string LockRows { get; }

    /// <summary>Like <see cref="LockRows"/> for the parts (alias <c>p</c>) of a join, skipping rows another writer holds.</summary>
    public abstract string LockPartsSkipLocked { get; }

    /// <summary>
    /// Parts whose lease ran out, oldest deadline first; the leases of a paused job's suspended agents do not
    /// expire while it is paused.
    /// </summary>
    public string ExpiredParts => field ??=
        $"""
        SELECT p.id, p.job_id, p.attempt, p.lease_no FROM parts p JOIN jobs j ON j.id = p.job_id
        WHERE p.state = {PartLeased} AND p.deadline < @now AND j.state <> {JobPaused} ORDER BY p.deadline LIMIT 1000 {LockPartsSkipLocked}
        """;

    /// <summary>The parts an agent holds, locked.</summary>
    public string PartsOfOwner => field ??= $"SELECT id, job_id, attempt, lease_no FROM parts WHERE state = {PartLeased} AND owner = @owner ORDER BY id {LockRows}";

    /// <summary>The parts held by agents whose names start with <c>@prefix</c>, locked.</summary>
    public string PartsOfOwnerPrefix => field ??=
        $"SELECT id, job_id, attempt, lease_no FROM parts WHERE state = {PartLeased} AND substr(owner, 1, length(@prefix)) = @prefix ORDER BY id {LockRows}";

    /// <summary>The reported parts, locked.</summary>
    public string PartsForReport => field ??=
        $"SELECT id, state, lease_no, owner, job_id, attempt FROM parts WHERE id IN ({JsonLongs("@ids")}) ORDER BY id {LockRows}";

    /// <summary>The state and failure rules of the jobs a transition touches, locked.</summary>
    public string JobsForReport => field ??=
        $"SELECT id, state, retries, on_part_failure, retry_policy FROM jobs WHERE id IN ({JsonLongs("@ids")}) ORDER BY id {LockRows}";

    /// <summary>A statement that makes leases with type or host limits wait for each other (several writers), or null.</summary>
    public virtual string? SerializeLimitedLeases => null;

    /// <summary>The size of the database in bytes.</summary>
    public abstract string DatabaseBytes { get; }

    /// <summary>
    /// Whether one command object may be run again with new parameters. Npgsql's automatic preparation
    /// was seen to run a reused command with an earlier execution's values, so PostgreSQL gets a new
    /// command per statement (prepared statements are still shared by the connection).
    /// </summary>
    public virtual bool ReuseCommands => true;

    /// <summary>Gives a parameter a database type where the provider cannot infer one.</summary>
    public virtual void Type(DbParameter parameter, object? value)
    {
    }

    public string CandidateJobs => field ??=
        $"""
        SELECT j.id, j.type, j.stream_id FROM jobs j JOIN streams s ON s.id = j.stream_id
        WHERE {RunnableJob} AND j.n_ready > 0 AND j.type IN ({JsonValues("@types")}) AND (CAST(@job AS BIGINT) IS NULL OR j.id = @job)
          AND (@locked = 0 OR j.wait_for_lock IS NULL)
          AND (CAST(@tags AS TEXT) IS NULL OR j.requires_tags IS NULL
               OR NOT EXISTS (SELECT 1 FROM ({JsonValues("j.requires_tags")}) t WHERE t.value NOT IN ({JsonValues("@tags")})))
        ORDER BY {JobOrder} LIMIT 64
        """;

    public string LeaseParts => field ??=
        $"""
        UPDATE parts SET state = {PartLeased}, owner = @owner, host = @host, lease_no = lease_no + 1, deadline = @deadline
        WHERE id IN (SELECT id FROM parts WHERE job_id = @job AND state = {PartReady} ORDER BY id LIMIT @k {LockReadyParts})
        RETURNING id, lease_no, attempt, payload, is_json
        """;

    // Affinity: a keyed part only goes to a host whose ranges ([[from, to], ...]) cover its key byte.
    public string LeasePartsInRanges => field ??=
        $"""
        UPDATE parts SET state = {PartLeased}, owner = @owner, host = @host, lease_no = lease_no + 1, deadline = @deadline
        WHERE id IN (
            SELECT id FROM parts WHERE job_id = @job AND state = {PartReady}
              AND (key_byte IS NULL OR EXISTS (SELECT 1 FROM ({JsonValues("@ranges")}) r
                   WHERE parts.key_byte BETWEEN {JsonInt("r.value", 0)} AND {JsonInt("r.value", 1)}))
            ORDER BY id LIMIT @k {LockReadyParts})
        RETURNING id, lease_no, attempt, payload, is_json
        """;

    public string JobSelect => field ??=
        $"""
        SELECT id, stream_id, name, type, state, priority, n_ready, n_leased, n_done, n_failed, reason,
               ready_at, started_at, finished_at, (SELECT {CommaList("dep_id")} FROM job_deps d WHERE d.job_id = jobs.id), wait_for_lock, message, n_retrying
        FROM jobs
        """;
}

/// <summary>SQLite's SQL (JSON1 functions, group_concat).</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string JsonValues(string json) => $"SELECT value FROM json_each({json})";

    public override string JsonInt(string json, int index) => $"json_extract({json}, '$[{index}]')";

    public override string CommaList(string expr) => $"group_concat({expr})";

    public override string Contains(string haystack, string needle) => $"instr({haystack}, {needle}) > 0";

    // A range, not LIKE: SQLite's LIKE with a parameter uses no index, and a GROUP BY then walks parts_job_state whole.
    public override string StartsWith(string text, string prefix) => $"({text} >= {prefix} AND {text} < {prefix} || char(1114111))";

    // Built once: every report batch uses it.
    public override string MarkPartsDone { get; } =
        $"""
        UPDATE parts SET state = {PartDone}, owner = NULL, deadline = NULL, finished_at = @now,
            result = json_extract(v.value, '$.result'), log = json_extract(v.value, '$.log')
        FROM json_each(@rows) v
        WHERE parts.id = json_extract(v.value, '$.id') AND parts.state = json_extract(v.value, '$.from') AND parts.lease_no = json_extract(v.value, '$.lease')
        """;

    // Built once: every batch of new parts uses it.
    public override string InsertParts { get; } =
        $"""
        INSERT INTO parts (job_id, state, payload, key, key_byte, is_json)
        SELECT @job, {PartReady}, json_extract(v.value, '$.p'), json_extract(v.value, '$.k'), json_extract(v.value, '$.b'), json_extract(v.value, '$.j')
        FROM json_each(@rows) v ORDER BY v.key
        """;

    public override string LockReadyParts => "";

    // One writer at a time: nothing to lock.
    public override string LockRows => "";

    public override string LockPartsSkipLocked => "";

    public override string DatabaseBytes => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
}
