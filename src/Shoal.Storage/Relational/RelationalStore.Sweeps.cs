using System.Text.Json;
using System.Data.Common;
using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string SweepSelect = "SELECT stream_id, job_id, mode, threads, started_at, time_limit_ms, skipped, lock FROM sweeps";

    public Task<StreamCreated> SubmitSweepAsync(StreamSpec spec, Func<StreamCreated, SweepRecord> sweep, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var created = Submit(tx, spec, _ => new JobRules(0, OnPartFailure.Continue), now);
            var s = sweep(created);
            tx.Exec(
                "INSERT INTO sweeps (stream_id, job_id, mode, threads, started_at, time_limit_ms, skipped, lock) VALUES (@s, @j, @m, @t, @at, @limit, @skipped, @lock)",
                ("@s", s.Stream.Value), ("@j", s.Job.Value), ("@m", s.Mode), ("@t", s.Threads), ("@at", Ms(s.StartedAt)),
                ("@limit", (long)s.TimeLimit.TotalMilliseconds), ("@skipped", JsonSerializer.Serialize(s.SkippedCheckedIn)), ("@lock", s.Lock ? 1 : 0));
            RecordHostZones(tx, spec);
            return created;
        }, ct);

    public Task<string?> GetHostZoneAsync(string host, CancellationToken ct) =>
        ReadAsync(tx => tx.One("SELECT zone FROM host_zones WHERE host = @host", r => r.GetString(0), ("@host", host.ToLowerInvariant())), ct);

    /// <summary>Each host of a sweep in the zone its inventory gave it ('' for the server's own), one statement a zone.</summary>
    private static void RecordHostZones(DbTx tx, StreamSpec spec)
    {
        var zones = spec.Jobs.SelectMany(j => j.Parts).Where(p => p.IsJson).Select(p =>
        {
            using var payload = JsonDocument.Parse(p.Payload);
            var root = payload.RootElement;
            return (Host: root.GetProperty("host").GetString()!.ToLowerInvariant(), Zone: root.TryGetProperty("zone", out var z) && z.ValueKind == JsonValueKind.String ? z.GetString()! : "");
        });
        foreach (var zone in zones.GroupBy(h => h.Zone))
        {
            tx.Exec(
                $"""
                INSERT INTO host_zones (host, zone) SELECT DISTINCT value, @zone FROM ({tx.Sql.JsonValues("@hosts")}) h WHERE true
                ON CONFLICT (host) DO UPDATE SET zone = excluded.zone
                """,
                ("@zone", zone.Key), ("@hosts", JsonSerializer.Serialize(zone.Select(h => h.Host).Distinct().ToList())));
        }
    }

    public Task<SweepRecord?> GetSweepAsync(StreamId stream, CancellationToken ct) =>
        ReadAsync(tx => tx.One(SweepSelect + " WHERE stream_id = @s", MapSweep, ("@s", stream.Value)), ct);

    public Task<IReadOnlyList<SweepRecord>> ListSweepsAsync(int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<SweepRecord>>(tx => tx.Query(SweepSelect + " ORDER BY stream_id DESC LIMIT @limit", MapSweep, ("@limit", limit)), ct);

    public Task<CollectorSpec?> GetCollectorAsync(JobId job, CancellationToken ct) =>
        ReadAsync(tx => tx.One(
            "SELECT collector FROM jobs WHERE id = @id AND collector IS NOT NULL",
            r => JsonSerializer.Deserialize<CollectorSpec>(r.GetString(0))!,
            ("@id", job.Value)), ct);

    public Task<SweepPartRecord?> GetSweepPartAsync(PartId part, CancellationToken ct) =>
        ReadAsync(tx => tx.One(
            "SELECT p.payload, s.stream_id, s.mode FROM parts p JOIN jobs j ON j.id = p.job_id JOIN sweeps s ON s.stream_id = j.stream_id WHERE p.id = @id",
            r =>
            {
                using var payload = JsonDocument.Parse(r.GetString(0));
                return new SweepPartRecord(payload.RootElement.GetProperty("host").GetString()!, new StreamId(r.GetInt64(1)), r.GetString(2));
            },
            ("@id", part.Value)), ct);

    public Task AddCheckinAsync(string host, string? payload, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            InsertHostResult(tx, new HostResultRecord(host, now, "checkin", null, null, payload, "checkin", null));
            return 0;
        }, ct);

    public Task<IReadOnlyList<HostResultRecord>> GetHostResultsAsync(string host, int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<HostResultRecord>>(tx => tx.Query(
            "SELECT host, at, status, exit_code, duration_ms, output, source, stream_id, error FROM host_results WHERE host = @host ORDER BY at DESC, id DESC LIMIT @limit",
            r => new HostResultRecord(
                r.GetString(0),
                FromMs(r.GetValue(1))!.Value,
                r.GetString(2),
                r.IsDBNull(3) ? null : r.GetInt32(3),
                r.IsDBNull(4) ? null : r.GetInt64(4),
                r.IsDBNull(5) ? null : r.GetString(5),
                r.GetString(6),
                r.IsDBNull(7) ? null : r.GetInt64(7),
                r.IsDBNull(8) ? null : r.GetString(8)),
            ("@host", host), ("@limit", limit)), ct);

    public Task<IReadOnlyDictionary<string, HostFreshness>> GetHostFreshnessAsync(IReadOnlyCollection<string> hosts, CancellationToken ct) =>
        ReadAsync<IReadOnlyDictionary<string, HostFreshness>>(tx => tx.Query(
            $"""
            SELECT host, MAX(CASE WHEN status IN ('ok', 'checkin') THEN at END), MAX(CASE WHEN source = 'checkin' THEN at END)
            FROM host_results WHERE host IN ({tx.Sql.JsonValues("@hosts")}) GROUP BY host
            """,
            r => (Host: r.GetString(0), Fresh: new HostFreshness(FromMs(r.GetValue(1)), FromMs(r.GetValue(2)))),
            ("@hosts", JsonSerializer.Serialize(hosts))).ToDictionary(x => x.Host, x => x.Fresh, StringComparer.OrdinalIgnoreCase), ct);

    private static void InsertHostResult(DbTx tx, HostResultRecord h) => tx.Exec(
        """
        INSERT INTO host_results (host, at, status, exit_code, duration_ms, output, source, stream_id, error)
        VALUES (@host, @at, @status, @exit, @duration, @output, @source, @stream, @error)
        """,
        ("@host", h.Host), ("@at", Ms(h.At)), ("@status", h.Status), ("@exit", h.ExitCode), ("@duration", h.DurationMs),
        ("@output", h.Output), ("@source", h.Source), ("@stream", h.Stream), ("@error", h.Error));

    private static SweepRecord MapSweep(DbDataReader r) => new(
        new StreamId(r.GetInt64(0)),
        new JobId(r.GetInt64(1)),
        r.GetString(2),
        r.GetInt32(3),
        FromMs(r.GetValue(4))!.Value,
        TimeSpan.FromMilliseconds(r.GetInt64(5)),
        JsonSerializer.Deserialize<List<string>>(r.GetString(6))!,
        r.GetInt32(7) == 1);
}
