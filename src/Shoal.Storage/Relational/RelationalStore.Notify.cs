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

    public Task MarkNotifiedAsync(StreamId stream, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec("UPDATE streams SET notified_at = @now WHERE id = @id", ("@now", Ms(now)), ("@id", stream.Value)), ct);
}
