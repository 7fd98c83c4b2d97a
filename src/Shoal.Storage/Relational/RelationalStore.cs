using Shoal.Core.Model;

namespace Shoal.Storage.Relational;

/// <summary>
/// The store's rules over SQL, shared by <see cref="Sqlite.SqliteStore"/> and <see cref="Postgres.PostgresStore"/>:
/// each gives its transactions (<see cref="WriteAsync{T}"/>, <see cref="ReadAsync{T}"/>) and its dialect.
/// </summary>
public abstract partial class RelationalStore : IShoalStore
{
    private const long NoAging = long.MaxValue / 4;

    public abstract Task MigrateAsync(CancellationToken ct);

    /// <summary>The database's schema version (0 for an empty database) and the newest one this build knows.</summary>
    public abstract Task<(int Current, int Latest)> SchemaStatusAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    public abstract event Action? WorkAvailable;

    public abstract Task<bool> TryLeadAsync(CancellationToken ct);

    /// <summary>Runs <paramref name="work"/> in one write transaction; it may be run again if the database asks for a retry.</summary>
    internal abstract Task<T> WriteAsync<T>(Func<DbTx, T> work, CancellationToken ct);

    /// <summary>Runs <paramref name="work"/> on a read-only snapshot.</summary>
    internal abstract Task<T> ReadAsync<T>(Func<DbTx, T> work, CancellationToken ct);

    private protected static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    private protected static DateTimeOffset? FromMs(object? v) =>
        v is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture));
}
