using Shoal.Storage.Postgres;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests.Postgres;

/// <summary>Runs the store contract against a real PostgreSQL server, one schema per test.</summary>
public sealed class PostgresStoreTests : StoreContract
{
    /// <summary>
    /// Statements run many times on one pooled connection get prepared; each run must still use its own
    /// parameters (a reused command object once ran with an earlier run's values).
    /// </summary>
    [Fact]
    public async Task StatementsRunManyTimes_UseTheirOwnParameters()
    {
        var ids = new List<(string Name, Core.Model.StreamId Id)>();
        for (var i = 0; i < 40; i++)
        {
            var name = $"stream-{i}";
            ids.Add((name, (await Submit(Stream(name, i % 5, Job($"job-{i}", parts: 1 + (i % 3))))).Id));
        }

        foreach (var (name, id) in ids)
        {
            var detail = (await Store.GetStreamAsync(id, Ct))!;
            detail.Stream.Name.ShouldBe(name);
            detail.Jobs.Single().Name.ShouldBe("job-" + name[7..]);
            detail.Jobs.Single().Parts.Total.ShouldBe(1 + (int.Parse(name[7..], System.Globalization.CultureInfo.InvariantCulture) % 3));
        }
    }

    [Fact]
    public async Task LeaseMany_RepeatedStatementsInOneTransaction_LeaseToTheirOwnOwners()
    {
        var s = await Submit(Stream("s", 0, Job("j", parts: 400)));
        for (var round = 0; round < 6; round++)
        {
            var requests = Enumerable.Range(0, 10).Select(i => Lease($"r{round}-o{i}", Start, max: 5)).ToList();
            var leased = await Store.LeaseManyAsync(requests, Ct);
            for (var i = 0; i < requests.Count; i++)
            {
                leased[i].Count.ShouldBe(5);
                var owners = (await Store.GetPartsAsync(s.Jobs["j"], Ct)).Where(p => leased[i].Any(l => l.PartId == p.Id)).Select(p => p.Owner).Distinct();
                owners.ShouldBe([requests[i].Owner]);
            }
        }
    }

    [Fact]
    public async Task AReadOnlyDatabase_FailsWritesAsStoreUnavailable_ReportsItInHealth_AndStillServesReads()
    {
        var schema = await PostgresTestDatabase.CreateSchemaAsync(Ct);
        await using (var writable = new PostgresStore(schema))
        {
            await writable.MigrateAsync(Ct);
            await writable.SubmitAsync(Stream("before", 0, Job("j")), Rules, Start, Ct);
        }

        var readOnly = new Npgsql.NpgsqlConnectionStringBuilder(schema) { Options = "-c default_transaction_read_only=on" }.ConnectionString;
        await using var store = new PostgresStore(readOnly);
        var ex = await Should.ThrowAsync<StoreUnavailableException>(() => store.SubmitAsync(Stream("after", 0, Job("j")), Rules, Start, Ct));
        ex.Message.ShouldStartWith("the store cannot write: PostgreSQL 25006: cannot execute INSERT in a read-only transaction");
        store.Health.Error.ShouldNotBeNull().ShouldContain("25006");
        store.Health.Failures.ShouldBe(1);
        (await store.ListStreamsAsync(null, null, 10, Ct)).Select(x => x.Name).ShouldBe(["before"]);
    }

    protected override async Task<IShoalStore> CreateStoreAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync(ct));
        await store.MigrateAsync(ct);
        return store;
    }
}
