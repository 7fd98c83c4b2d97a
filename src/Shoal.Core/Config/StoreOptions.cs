namespace Shoal.Core.Config;

/// <summary>SQLite's <c>synchronous</c> pragma: FULL survives power loss, NORMAL survives a killed process.</summary>
public enum SqliteSync
{
    Normal = 1,
    Full = 2,
}

/// <summary>The <c>[STORE]</c> section: an SQLite file (the default), or a PostgreSQL connection string shared by several servers.</summary>
public sealed record StoreOptions(string SqlitePath, SqliteSync Synchronous, string? Postgres = null)
{
    /// <summary>The environment variable that selects PostgreSQL when the file names no <c>postgres</c>.</summary>
    public const string PostgresVariable = "SHOAL_POSTGRES";

    /// <summary>The store of a state folder before any [STORE] setting: SQLite in it, or PostgreSQL from <see cref="PostgresVariable"/>.</summary>
    public static StoreOptions Default(string stateDir) =>
        new(Path.Combine(stateDir, "shoal.db"), SqliteSync.Full, Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } pg ? pg : null);
}
