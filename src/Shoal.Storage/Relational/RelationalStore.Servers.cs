namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task RecordServerAsync(ServerRecord server, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec(
            """
            INSERT INTO servers (name, url, started_at, last_seen, leader, agents, clock_offset_ms) VALUES (@name, @url, @started, @seen, @leader, @agents, @offset)
            ON CONFLICT (name) DO UPDATE SET url = excluded.url, started_at = excluded.started_at, last_seen = excluded.last_seen,
                leader = excluded.leader, agents = excluded.agents, clock_offset_ms = excluded.clock_offset_ms
            """,
            ("@name", server.Name), ("@url", server.Url), ("@started", Ms(server.StartedAt)), ("@seen", Ms(server.LastSeen)),
            ("@leader", server.Leader ? 1 : 0), ("@agents", server.Agents), ("@offset", server.ClockOffsetMs)), ct);

    /// <summary>The database's own clock, which the servers of a cluster share; null for an embedded store (one server, its own clock).</summary>
    public virtual Task<DateTimeOffset?> DatabaseNowAsync(CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);

    public Task<IReadOnlyList<ServerRecord>> ListServersAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ServerRecord>>(tx => tx.Query(
            "SELECT name, url, started_at, last_seen, leader, agents, clock_offset_ms FROM servers ORDER BY name",
            r => new ServerRecord(r.GetString(0), r.GetString(1), FromMs(r.GetValue(2))!.Value, FromMs(r.GetValue(3))!.Value, r.GetInt32(4) == 1, r.GetString(5), r.GetInt64(6))), ct);
}
