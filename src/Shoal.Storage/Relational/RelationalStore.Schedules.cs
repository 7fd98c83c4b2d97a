using System.Data.Common;
using Shoal.Core.Model;
using Shoal.Core.Schedules;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string ScheduleSelect = "SELECT name, cron, every_ms, tz, template, misfire, overlap, paused, next_at, last_at, last_stream FROM schedules";

    public Task<bool> AddScheduleAsync(ScheduleRecord schedule, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec(
            """
            INSERT INTO schedules (name, cron, every_ms, tz, template, misfire, overlap, paused, next_at)
            VALUES (@name, @cron, @every, @tz, @template, @misfire, @overlap, @paused, @next) ON CONFLICT DO NOTHING
            """,
            ("@name", schedule.Name), ("@cron", schedule.Rule.Cron), ("@every", schedule.Rule.Every is { } e ? (long)e.TotalMilliseconds : null),
            ("@tz", schedule.Rule.TimeZone), ("@template", schedule.Template), ("@misfire", (int)schedule.Misfire), ("@overlap", schedule.Overlap ? 1 : 0),
            ("@paused", schedule.Paused ? 1 : 0), ("@next", Ms(schedule.NextAt))) == 1, ct);

    public Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ScheduleRecord>>(tx => tx.Query(ScheduleSelect + " ORDER BY name", MapSchedule), ct);

    public Task<bool> RemoveScheduleAsync(string name, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec("DELETE FROM schedules WHERE name = @name", ("@name", name)) == 1, ct);

    public Task<bool> SetSchedulePausedAsync(string name, bool paused, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec("UPDATE schedules SET paused = @p WHERE name = @name", ("@p", paused ? 1 : 0), ("@name", name)) == 1, ct);

    public Task RecordScheduleRunAsync(string name, DateTimeOffset at, StreamId? stream, DateTimeOffset nextAt, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec(
            """
            UPDATE schedules SET next_at = @nextAt,
                last_at = CASE WHEN CAST(@stream AS BIGINT) IS NULL THEN last_at ELSE @at END,
                last_stream = COALESCE(CAST(@stream AS BIGINT), last_stream)
            WHERE name = @name
            """,
            ("@nextAt", Ms(nextAt)), ("@at", Ms(at)), ("@stream", stream?.Value), ("@name", name)), ct);

    private static ScheduleRecord MapSchedule(DbDataReader r) => new(
        r.GetString(0),
        new ScheduleRule(r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : TimeSpan.FromMilliseconds(r.GetInt64(2)), r.GetString(3)),
        r.GetString(4),
        (Misfire)r.GetInt32(5),
        r.GetInt32(6) == 1,
        r.GetInt32(7) == 1,
        FromMs(r.GetValue(8))!.Value,
        FromMs(r.GetValue(9)),
        r.IsDBNull(10) ? null : new StreamId(r.GetInt64(10)));
}
