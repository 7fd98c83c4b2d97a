using Shoal.Storage.Relational;

using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Postgres;

/// <summary>PostgreSQL's SQL: JSON arrays through <c>json_array_elements_text</c>, leases that skip locked rows.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    /// <summary>
    /// Advisory locks (the leader, migrations, leases with limits) are database-wide: each is keyed by its
    /// purpose and the schema, so Shoal queues in several schemas of one database do not meet.
    /// </summary>
    public const string LeaderLock = "1397243713, hashtext(current_schema())";
    public const string MigrateLock = "1397243714, hashtext(current_schema())";
    public const string LimitsLock = "1397243715, hashtext(current_schema())";

    /// <summary>The channel on which a commit that made work ready notifies; the payload is the schema.</summary>
    public const string WorkChannel = "shoal_work";

    public const string NotifyWork = $"SELECT pg_notify('{WorkChannel}', current_schema())";

    public override bool ReuseCommands => false;

    public override string JsonValues(string json) => $"SELECT value FROM json_array_elements_text(CAST({json} AS json)) AS e(value)";

    public override string JsonInt(string json, int index) => $"CAST(CAST({json} AS json) ->> {index} AS integer)";

    public override string CommaList(string expr) => $"string_agg(CAST({expr} AS text), ',')";

    public override string Contains(string haystack, string needle) => $"strpos({haystack}, {needle}) > 0";

    public override string StartsWith(string text, string prefix) => $"starts_with({text}, {prefix})";

    // Built once: every report batch uses it.
    public override string MarkPartsDone { get; } =
        $"""
        UPDATE parts SET state = {PartDone}, owner = NULL, deadline = NULL, finished_at = @now, result = v.result, log = v.log
        FROM json_to_recordset(CAST(@rows AS json)) AS v(id bigint, "from" integer, lease bigint, result text, log text)
        WHERE parts.id = v.id AND parts.state = v."from" AND parts.lease_no = v.lease
        """;

    // Built once: every batch of new parts uses it.
    public override string InsertParts { get; } =
        $"""
        INSERT INTO parts (job_id, state, payload, key, key_byte, is_json)
        SELECT @job, {PartReady}, e.value ->> 'p', e.value ->> 'k', CAST(e.value ->> 'b' AS integer), CAST(e.value ->> 'j' AS integer)
        FROM json_array_elements(CAST(@rows AS json)) WITH ORDINALITY AS e(value, n) ORDER BY e.n
        """;

    public override string LockReadyParts => "FOR UPDATE SKIP LOCKED";

    public override string LockRows => "FOR UPDATE";

    public override string LockPartsSkipLocked => "FOR UPDATE OF p SKIP LOCKED";

    public override string? SerializeLimitedLeases => $"SELECT pg_advisory_xact_lock({LimitsLock})";

    public override string DatabaseBytes => "SELECT pg_database_size(current_database())";
}
