namespace Shoal.Core.Config;

/// <summary>SQLite's <c>synchronous</c> pragma: FULL survives power loss, NORMAL survives a killed process.</summary>
public enum SqliteSync
{
    Normal = 1,
    Full = 2,
}

/// <summary>The <c>[STORE]</c> section.</summary>
public sealed record StoreOptions(string SqlitePath, SqliteSync Synchronous);
