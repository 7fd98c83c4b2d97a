using Shoal.Core.Config;
using Shoal.Storage.Postgres;
using Shoal.Storage.Relational;
using Shoal.Storage.Sqlite;

namespace Shoal.Storage;

/// <summary>Opens the store the <c>[STORE]</c> section names.</summary>
public static class StoreFactory
{
    public static RelationalStore Open(StoreOptions options) =>
        options.Postgres is { } pg ? new PostgresStore(pg) : new SqliteStore(options.SqlitePath, options.Synchronous);

    /// <summary>Where the store is, for logs and <c>shoal db status</c> (no password).</summary>
    public static string Describe(RelationalStore store) => store switch
    {
        PostgresStore pg => pg.Description,
        SqliteStore sqlite => "sqlite:" + Path.GetFullPath(sqlite.DatabasePath),
        _ => store.GetType().Name,
    };
}
