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
    /// <summary>The most queued writes one transaction runs.</summary>
    public const int GroupLimit = 64;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<IGroupWrite> _pending = new();
    private long _commits;
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

    /// <summary>Write transactions committed since the store opened (each one fsync); several writes may share one.</summary>
    public long Commits => Interlocked.Read(ref _commits);

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

    /// <summary>
    /// Runs <paramref name="work"/> in an IMMEDIATE transaction on the write connection. Group commit: writes that
    /// arrive while another transaction runs are queued, and whoever holds the connection next runs up to
    /// <see cref="GroupLimit"/> of them in one transaction, each under its own savepoint (a write that throws is rolled
    /// back alone and gets its exception), with one commit — one fsync — for all. No write's result is handed out
    /// before its commit.
    /// </summary>
    internal override async Task<T> WriteCoreAsync<T>(Func<DbTx, T> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var write = new GroupWrite<T>(work);
        _pending.Enqueue(write);
        while (!write.Done.IsCompleted)
        {
            try
            {
                await _gate.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (write.TryCancel())
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                break; // another writer has taken it: it finishes, with or without us waiting
            }

            try
            {
                if (!write.Done.IsCompleted)
                {
                    RunGroup();
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        return await write.Done.ConfigureAwait(false);
    }

    private void RunGroup()
    {
        var group = new List<IGroupWrite>();
        while (group.Count < GroupLimit && _pending.TryDequeue(out var next))
        {
            if (next.TryTake())
            {
                group.Add(next);
            }
        }

        if (group.Count == 0)
        {
            return;
        }

        var outcomes = new Action[group.Count];
        try
        {
            using var tx = _write.BeginTransaction(deferred: false);
            var db = new DbTx(_write, tx, _commands, SqliteDialect.Instance);
            for (var i = 0; i < group.Count; i++)
            {
                if (group.Count > 1)
                {
                    db.Exec("SAVEPOINT w");
                }

                try
                {
                    outcomes[i] = group[i].Run(db);
                    if (group.Count > 1)
                    {
                        db.Exec("RELEASE w");
                    }
                }
                catch (Exception ex) when (group.Count > 1)
                {
                    db.Exec("ROLLBACK TO w");
                    db.Exec("RELEASE w");
                    var failed = group[i];
                    outcomes[i] = () => failed.Fail(ex);
                }
            }

            tx.Commit();
            Interlocked.Increment(ref _commits);
        }
        catch (Exception ex)
        {
            group.ForEach(g => g.Fail(ex));
            return;
        }

        foreach (var outcome in outcomes)
        {
            outcome();
        }
    }
    /// <summary>Full, read-only, unopenable, I/O error, corrupt: SQLite's own failures, by primary result code.</summary>
    private protected override string? FaultOf(Exception ex) => ex is SqliteException { SqliteErrorCode: 13 or 8 or 10 or 14 or 11 or 26 } e
        ? $"{e.Message.Replace("SQLite Error ", "SQLite error ", StringComparison.Ordinal)} ({DatabasePath})"
        : null;

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
