using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<IReadOnlyList<StreamDetail>> GetUnnotifiedStreamsAsync(int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<StreamDetail>>(tx => tx.Query(
                StreamSelect + " WHERE finished_at IS NOT NULL AND notified_at IS NULL ORDER BY id LIMIT @limit", MapStream, ("@limit", limit))
            .Select(s => new StreamDetail(s, tx.Query(tx.Sql.JobSelect + " WHERE stream_id = @id ORDER BY id", MapJob, ("@id", s.Id.Value))))
            .ToList(), ct);

    public Task<IReadOnlyList<StreamId>> MarkStuckAsync(IReadOnlyDictionary<StreamId, string> stuck, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<StreamId>>(tx =>
        {
            var ids = System.Text.Json.JsonSerializer.Serialize(stuck.Keys.Select(s => s.Value));
            tx.Exec(
                $"UPDATE streams SET stuck_reason = NULL, stuck_since = NULL, stuck_notified_at = NULL WHERE stuck_reason IS NOT NULL AND id NOT IN ({tx.Sql.JsonLongs("@ids")})",
                ("@ids", ids));
            var fresh = new List<StreamId>();
            foreach (var (stream, reason) in stuck.OrderBy(x => x.Key.Value))
            {
                var was = tx.One($"SELECT stuck_reason FROM streams WHERE id = @id AND state IN {StateSql.StreamLive}", r => r.IsDBNull(0) ? "" : r.GetString(0), ("@id", stream.Value));
                if (was is null || was == reason)
                {
                    continue; // ended meanwhile, or already marked so
                }

                tx.Exec("UPDATE streams SET stuck_reason = @reason, stuck_since = COALESCE(stuck_since, @now) WHERE id = @id", ("@reason", reason), ("@now", Ms(now)), ("@id", stream.Value));
                if (was.Length == 0)
                {
                    fresh.Add(stream);
                }
            }

            return fresh;
        }, ct);

    public Task<IReadOnlyList<StreamDetail>> GetUnnotifiedStuckAsync(int limit, CancellationToken ct) =>
        ReadAsync<IReadOnlyList<StreamDetail>>(tx => tx.Query(
                StreamSelect + $" WHERE stuck_reason IS NOT NULL AND stuck_notified_at IS NULL AND state IN {StateSql.StreamLive} ORDER BY id LIMIT @limit", MapStream, ("@limit", limit))
            .Select(s => new StreamDetail(s, tx.Query(tx.Sql.JobSelect + " WHERE stream_id = @id ORDER BY id", MapJob, ("@id", s.Id.Value))))
            .ToList(), ct);

    public Task MarkStuckNotifiedAsync(StreamId stream, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec("UPDATE streams SET stuck_notified_at = @now WHERE id = @id", ("@now", Ms(now)), ("@id", stream.Value)), ct);

    public Task MarkNotifiedAsync(StreamId stream, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec("UPDATE streams SET notified_at = @now WHERE id = @id", ("@now", Ms(now)), ("@id", stream.Value)), ct);
}
