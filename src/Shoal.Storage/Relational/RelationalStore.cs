using Shoal.Core.Model;

namespace Shoal.Storage.Relational;

/// <summary>
/// The store's rules over SQL, shared by <see cref="Sqlite.SqliteStore"/> and <see cref="Postgres.PostgresStore"/>:
/// each gives its transactions (<see cref="WriteAsync{T}"/>, <see cref="ReadAsync{T}"/>) and its dialect.
/// </summary>
/// <remarks>
/// Why a transaction's body is synchronous (<c>Func&lt;DbTx, T&gt;</c>) while opening, beginning and committing are
/// asynchronous: the rules are written once for both databases, and Microsoft.Data.Sqlite has no asynchronous I/O (its
/// <c>*Async</c> methods run synchronously), so an asynchronous body would only add state machines for SQLite. With
/// PostgreSQL the body's statements are short, on a connection already open, inside a transaction that must not
/// interleave with other work on that connection; the waits that matter (pool, network round trip of BEGIN and COMMIT,
/// the group commit's turn) are asynchronous.
/// </remarks>
public abstract partial class RelationalStore : IShoalStore
{
    private const long NoAging = long.MaxValue / 4;
    private readonly HostListCursors _hostLists = new();

    public abstract Task MigrateAsync(CancellationToken ct);

    /// <summary>The database's schema version (0 for an empty database) and the newest one this build knows.</summary>
    public abstract Task<(int Current, int Latest)> SchemaStatusAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    public abstract event Action? WorkAvailable;

    public abstract Task<bool> TryLeadAsync(CancellationToken ct);

    public StoreHealth Health { get; } = new();

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction; it may be run again if the database asks for a retry. A
    /// failure of the store's own (see <see cref="FaultOf"/>) is recorded in <see cref="Health"/> and thrown as a
    /// <see cref="StoreUnavailableException"/>; the next write that succeeds clears it.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<DbTx, T> work, CancellationToken ct)
    {
        try
        {
            var result = await WriteCoreAsync(work, ct).ConfigureAwait(false);
            Health.Succeeded();
            return result;
        }
        catch (Exception ex) when (FaultOf(ex) is { } cause)
        {
            Health.Failed(cause);
            throw new StoreUnavailableException(cause, ex);
        }
    }

    /// <summary>One write transaction of this store (see <see cref="WriteAsync{T}"/>).</summary>
    internal abstract Task<T> WriteCoreAsync<T>(Func<DbTx, T> work, CancellationToken ct);

    /// <summary>The cause, when <paramref name="ex"/> is the store's own failure (disk full, read-only, unreachable), else null.</summary>
    private protected abstract string? FaultOf(Exception ex);

    /// <summary>Runs <paramref name="work"/> on a read-only snapshot.</summary>
    internal abstract Task<T> ReadAsync<T>(Func<DbTx, T> work, CancellationToken ct);

    private protected static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    private protected static DateTimeOffset? FromMs(object? v) =>
        v is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));
}
