using System.Data.Common;
using Microsoft.Data.Sqlite;
using Shoal.Core.Config;
using Shoal.Storage.Migrations;
using Shoal.Storage.Relational;

namespace Shoal.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writes go through one connection, one transaction
/// at a time (SQLite has one writer anyway); reads use pooled connections and never wait for writes.
/// </summary>
public sealed class SqliteStore : RelationalStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
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

    /// <summary>One server uses an SQLite file: nobody else makes work ready.</summary>
    public override event Action? WorkAvailable
    {
        add { }
        remove { }
    }

    /// <summary>The only server of an SQLite file leads.</summary>
    public override Task<bool> TryLeadAsync(CancellationToken ct) => Task.FromResult(true);

    public override Task MigrateAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        MigrationRunner.Apply(_write, MigrationRunner.SqliteFolder, null);
        return Task.CompletedTask;
    }

    public override async Task<(int Current, int Latest)> SchemaStatusAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return MigrationRunner.Status(_write, MigrationRunner.SqliteFolder);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async ValueTask DisposeAsync()
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

    private static void Pragma(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction on the write connection.</summary>
    internal override async Task<T> WriteAsync<T>(Func<DbTx, T> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var tx = _write.BeginTransaction(deferred: false);
            var result = work(new DbTx(_write, tx, _commands, SqliteDialect.Instance));
            tx.Commit();
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled read connection (a WAL snapshot).</summary>
    internal override async Task<T> ReadAsync<T>(Func<DbTx, T> work, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        using var tx = connection.BeginTransaction(deferred: true);
        var commands = new Dictionary<string, DbCommand>(StringComparer.Ordinal);
        try
        {
            return work(new DbTx(connection, tx, commands, SqliteDialect.Instance));
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
