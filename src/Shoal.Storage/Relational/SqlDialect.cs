using System.Data.Common;
using static Shoal.Storage.Relational.StoreSql;

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
        ORDER BY j.forced DESC, {EffectivePriority} DESC, j.id LIMIT 64
        """;

    public string LeaseParts => field ??=
        $"""
        UPDATE parts SET state = 1, owner = @owner, host = @host, lease_no = lease_no + 1, deadline = @deadline
        WHERE id IN (SELECT id FROM parts WHERE job_id = @job AND state = 0 ORDER BY id LIMIT @k {LockReadyParts})
        RETURNING id, lease_no, attempt, payload, is_json
        """;

    // Affinity: a keyed part only goes to a host whose ranges ([[from, to], ...]) cover its key byte.
    public string LeasePartsInRanges => field ??=
        $"""
        UPDATE parts SET state = 1, owner = @owner, host = @host, lease_no = lease_no + 1, deadline = @deadline
        WHERE id IN (
            SELECT id FROM parts WHERE job_id = @job AND state = 0
              AND (key_byte IS NULL OR EXISTS (SELECT 1 FROM ({JsonValues("@ranges")}) r
                   WHERE parts.key_byte BETWEEN {JsonInt("r.value", 0)} AND {JsonInt("r.value", 1)}))
            ORDER BY id LIMIT @k {LockReadyParts})
        RETURNING id, lease_no, attempt, payload, is_json
        """;

    public string JobSelect => field ??=
        $"""
        SELECT id, stream_id, name, type, state, priority, n_ready, n_leased, n_done, n_failed, reason,
               ready_at, started_at, finished_at, (SELECT {CommaList("dep_id")} FROM job_deps d WHERE d.job_id = jobs.id), wait_for_lock
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

    public override string MarkPartsDone =>
        """
        UPDATE parts SET state = 2, owner = NULL, deadline = NULL, finished_at = @now,
            result = json_extract(v.value, '$.result'), log = json_extract(v.value, '$.log')
        FROM json_each(@rows) v WHERE parts.id = json_extract(v.value, '$.id')
        """;

    public override string InsertParts =>
        """
        INSERT INTO parts (job_id, state, payload, key, key_byte, is_json)
        SELECT @job, 0, json_extract(v.value, '$.p'), json_extract(v.value, '$.k'), json_extract(v.value, '$.b'), json_extract(v.value, '$.j')
        FROM json_each(@rows) v ORDER BY v.key
        """;

    public override string LockReadyParts => "";

    public override string DatabaseBytes => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
}
