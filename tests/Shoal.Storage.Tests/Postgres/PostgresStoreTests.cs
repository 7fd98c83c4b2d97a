using Shoal.Storage.Postgres;

namespace Shoal.Storage.Tests.Postgres;

/// <summary>Runs the store contract against a real PostgreSQL server, one schema per test.</summary>
public sealed class PostgresStoreTests : StoreContract
{
    protected override async Task<IShoalStore> CreateStoreAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync(ct));
        await store.MigrateAsync(ct);
        return store;
    }
}
