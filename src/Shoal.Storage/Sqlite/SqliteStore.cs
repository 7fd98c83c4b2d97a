using Microsoft.Data.Sqlite;
using Shoal.Core.Config;
using Shoal.Storage.Migrations;

namespace Shoal.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writes go through one connection, one transaction
/// at a time (SQLite has one writer anyway); reads use pooled connections and never wait for writes.
/// </summary>
public sealed partial class SqliteStore : IShoalStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly string _readConnectionString;
    private readonly SqliteConnection _write;

    public SqliteStore(string path, SqliteSync synchronous = SqliteSync.Full)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        DatabasePath = path;
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 };
        _write = new SqliteConnection(builder.ConnectionString);
        _write.Open();
        Pragma(_write, "PRAGMA journal_mode = WAL");
        Pragma(_write, synchronous == SqliteSync.Full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        Pragma(_write, "PRAGMA busy_timeout = 10000");
        Pragma(_write, "PRAGMA wal_autocheckpoint = 4000");
        _readConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = true }.ConnectionString;
    }

    public string DatabasePath { get; }

    public Task MigrateAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        MigrationRunner.Apply(_write);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var cmd in _commands.Values)
            {
                cmd.Dispose();
            }

            _commands.Clear();
            await _write.DisposeAsync().ConfigureAwait(false);
            SqliteConnection.ClearAllPools();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    private static DateTimeOffset? FromMs(object? v) =>
        v is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));

    private static void Pragma(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction on the write connection.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteTx, T> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var tx = _write.BeginTransaction(deferred: false);
            var result = work(new SqliteTx(_write, tx, _commands));
            tx.Commit();
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled read connection (a WAL snapshot).</summary>
    private async Task<T> ReadAsync<T>(Func<SqliteTx, T> work, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);
        var commands = new Dictionary<string, SqliteCommand>(StringComparer.Ordinal);
        try
        {
            return work(new SqliteTx(connection, tx, commands));
        }
        finally
        {
            foreach (var cmd in commands.Values)
            {
                cmd.Dispose();
            }
        }
    }
}
