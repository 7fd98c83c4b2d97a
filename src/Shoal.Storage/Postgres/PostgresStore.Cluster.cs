using Npgsql;

namespace Shoal.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>
    /// Leadership is a session advisory lock on a connection of its own: it is held while that connection
    /// lives and freed by PostgreSQL the moment the leader's process or connection dies.
    /// </summary>
    public override async Task<bool> TryLeadAsync(CancellationToken ct)
    {
        await _leaderGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_leader is not null)
            {
                try
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", _leader);
                    await ping.ExecuteScalarAsync(ct).ConfigureAwait(false);
                    return true;
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
                {
                    // The connection is gone, and the lock with it.
                    await _leader.DisposeAsync().ConfigureAwait(false);
                    _leader = null;
                }
            }

            NpgsqlConnection? connection = null;
            try
            {
                connection = await OpenAsync(ct).ConfigureAwait(false);
                await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({PostgresDialect.LeaderLock})", connection);
                if (await take.ExecuteScalarAsync(ct).ConfigureAwait(false) is true)
                {
                    _leader = connection;
                    connection = null;
                    return true;
                }

                return false;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
            {
                return false;
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _leaderGate.Release();
        }
    }

    public override async Task<DateTimeOffset?> DatabaseNowAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT clock_timestamp()", connection);
        return new DateTimeOffset((DateTime)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!, TimeSpan.Zero);
    }

    /// <summary>Listens for <c>shoal_work</c> on a connection of its own, reconnecting after a loss (and then raising once: work may have come meanwhile).</summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        var lost = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await OpenAsync(ct).ConfigureAwait(false);
                await using (var schema = new NpgsqlCommand("SELECT current_schema()", connection))
                {
                    var mine = (string?)await schema.ExecuteScalarAsync(ct).ConfigureAwait(false);
                    connection.Notification += (_, e) =>
                    {
                        if (e.Payload == mine)
                        {
                            _workAvailable?.Invoke();
                        }
                    };
                }

                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresDialect.WorkChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                if (lost)
                {
                    _workAvailable?.Invoke();
                    lost = false;
                }

                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
            {
                lost = true;
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
