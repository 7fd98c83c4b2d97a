using Shoal.Storage.Sqlite;

namespace Shoal.Storage.Tests.Sqlite;

/// <summary>Runs the store contract against a real SQLite file.</summary>
public sealed class SqliteStoreTests : StoreContract
{
    protected override async Task<IShoalStore> CreateStoreAsync()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-store-");
        var store = new SqliteStore(Path.Combine(dir.FullName, "shoal.db"));
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return store;
    }
}
