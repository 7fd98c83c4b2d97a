using System.Data;
using System.Data.Common;
using Npgsql;
using Shoal.Storage.Migrations;
using Shoal.Storage.Relational;

namespace Shoal.Storage.Postgres;

/// <summary>
/// The shared store: one PostgreSQL database that several Shoal servers use at once. Every write is one
/// READ COMMITTED transaction: leases skip locked rows; leases with limits take a transaction lock; every other
/// transition of a part reads the parts and jobs that decide it <c>FOR UPDATE</c> (in id order) and writes them only
/// where they are still as read. One that deadlocks, or that meets a lost connection, is run again. Work made ready is announced with
/// a notification on <c>shoal_work</c>; the leader holds a session advisory lock.
/// </summary>
public sealed partial class PostgresStore : RelationalStore
{
    private static readonly TimeSpan ReconnectFor = TimeSpan.FromSeconds(90);
    private readonly NpgsqlDataSource _source;
    private readonly SemaphoreSlim _leaderGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private NpgsqlConnection? _leader;
    private Action? _workAvailable;
    private Task? _listener;

    public PostgresStore(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The same few dozen statements all the time: each connection prepares them once.
            MaxAutoPrepare = Math.Max(64, new NpgsqlConnectionStringBuilder(connectionString).MaxAutoPrepare),
            // Shoal's pooled connections change no session state (LISTEN and the leader lock have their own).
            NoResetOnClose = true,
        };
        if (!connectionString.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 5;
        }

        _source = NpgsqlDataSource.Create(builder);
        Description = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
    }

    /// <summary>Where the store is, without the password.</summary>
    public string Description { get; }

    public override event Action? WorkAvailable
    {
        add
        {
            lock (_stopping)
            {
                _workAvailable += value;
                _listener ??= Task.Run(() => ListenAsync(_stopping.Token));
            }
        }

        remove
        {
            lock (_stopping)
            {
                _workAvailable -= value;
            }
        }
    }

    public override async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        MigrationRunner.Apply(connection, MigrationRunner.PostgresFolder, $"SELECT pg_advisory_xact_lock({PostgresDialect.MigrateLock})");
    }

    public override async Task<(int Current, int Latest)> SchemaStatusAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return MigrationRunner.Status(connection, MigrationRunner.PostgresFolder);
    }

    public override async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _leaderGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_leader is not null)
            {
                await _leader.DisposeAsync().ConfigureAwait(false);
                _leader = null;
            }
        }
        finally
        {
            _leaderGate.Release();
        }

        await _source.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    internal override Task<T> WriteCoreAsync<T>(Func<DbTx, T> work, CancellationToken ct) =>
        RetryAsync(() => RunAsync(IsolationLevel.ReadCommitted, work, commit: true, ct), ct);

    // One snapshot for every statement of the read, as SQLite's read transaction gives.
    internal override Task<T> ReadAsync<T>(Func<DbTx, T> work, CancellationToken ct) =>
        RetryAsync(() => RunAsync(IsolationLevel.RepeatableRead, work, commit: false, ct), ct);

    private async Task<T> RunAsync<T>(IsolationLevel isolation, Func<DbTx, T> work, bool commit, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(isolation, ct).ConfigureAwait(false);
        var commands = new Dictionary<string, DbCommand>(StringComparer.Ordinal);
        try
        {
            var dbTx = new DbTx(connection, tx, commands, PostgresDialect.Instance);
            var result = work(dbTx);
            if (commit)
            {
                if (dbTx.WorkReady)
                {
                    // Delivered to every listening server when (and only if) this transaction commits.
                    dbTx.Exec(PostgresDialect.NotifyWork);
                }

                await tx.CommitAsync(ct).ConfigureAwait(false);
            }

            return result;
        }
        finally
        {
            foreach (var cmd in commands.Values)
            {
                await cmd.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => _source.OpenConnectionAsync(ct);

    /// <summary>Runs <paramref name="attempt"/> again after a deadlock or serialization failure, and while the database is unreachable (up to 90 s).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5394", Justification = "Jitter between retries, not a secret.")]
    private static async Task<T> RetryAsync<T>(Func<Task<T>> attempt, CancellationToken ct)
    {
        var started = Environment.TickCount64;
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (Exception ex) when (Retryable(ex) && Environment.TickCount64 - started < ReconnectFor.TotalMilliseconds && !ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 5 * n * n) + Random.Shared.Next(10)), ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The database's own failures: out of disk or memory, too many connections, shut down, read-only, or not reachable
    /// once the retries (90 s) are spent.
    /// </summary>
    private protected override string? FaultOf(Exception ex) => ex switch
    {
        PostgresException pg when pg.SqlState.StartsWith("53", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState == "25006" => $"PostgreSQL {pg.SqlState}: {pg.MessageText} ({Description})",
        NpgsqlException npg when Retryable(npg) => $"PostgreSQL is not reachable: {npg.Message} ({Description})",
        InvalidOperationException { InnerException: NpgsqlException inner } => FaultOf(inner),
        _ => null,
    };

    private static bool Retryable(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState is "40001" or "40P01" || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal),
        NpgsqlException npg => npg.IsTransient || npg.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        InvalidOperationException ioe => ioe.InnerException is NpgsqlException inner && Retryable(inner),
        StoreConflictException => true,
        _ => false,
    };
}
