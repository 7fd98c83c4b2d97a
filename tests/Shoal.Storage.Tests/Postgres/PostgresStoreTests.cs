using Shoal.Core.Model;
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
        (await store.ListStreamsAsync(null, null, null, 10, Ct)).Select(x => x.Name).ShouldBe(["before"]);
    }

    [Fact]
    public async Task Requeue_FromTwoServersAtOnce_RequeuesOnce_AndWhileReportsArrive_CountsEveryPartOnce()
    {
        var schema = await PostgresTestDatabase.CreateSchemaAsync(Ct);
        await using var a = new PostgresStore(schema);
        await a.MigrateAsync(Ct);
        await using var b = new PostgresStore(schema);
        var s = await a.SubmitAsync(Stream("s", 0, Job("net", "pull-net", 40)), Rules, Start, Ct);
        var job = s.Jobs["net"];

        // Every ready part fails a try, reported half from each server's connections, until all have failed for good.
        async Task FailAllAsync(bool requeueMeanwhile)
        {
            for (var round = 0; round < 20 && (await a.GetJobAsync(job, Ct))!.Parts.Failed < 40; round++)
            {
                var leased = await a.LeaseAsync(Lease("x", Start, max: 40, type: "pull-net"), Ct);
                await Task.WhenAll(
                    a.CompleteAsync([.. leased.Take(20).Select(p => Fail(p, "x"))], Start, Ct),
                    b.CompleteAsync([.. leased.Skip(20).Select(p => Fail(p, "x"))], Start, Ct),
                    requeueMeanwhile && round == 0 ? a.RequeueStreamAsync(s.Id, Start, Ct) : Task.CompletedTask,
                    requeueMeanwhile && round == 0 ? b.RequeueStreamAsync(s.Id, Start, Ct) : Task.CompletedTask);
                await CountersAreThePartsAsync();
            }

            (await a.GetJobAsync(job, Ct))!.Parts.ShouldBe(new PartCounts(0, 0, 0, 40));
        }

        async Task CountersAreThePartsAsync()
        {
            var counts = (await a.GetJobAsync(job, Ct))!.Parts;
            var parts = await a.GetPartsAsync(job, Ct);
            counts.Total.ShouldBe(40, "no part counted twice or lost");
            parts.Count(p => p.State == PartState.Ready).ShouldBe(counts.Ready);
            parts.Count(p => p.State == PartState.Leased).ShouldBe(counts.Leased);
            parts.Count(p => p.State == PartState.Failed).ShouldBe(counts.Failed);
        }

        await FailAllAsync(requeueMeanwhile: false);
        for (var i = 0; i < 5; i++)
        {
            var outcomes = await Task.WhenAll(a.RequeueStreamAsync(s.Id, Start, Ct), b.RequeueStreamAsync(s.Id, Start, Ct));
            outcomes.Count(o => o == ControlOutcome.Done).ShouldBe(1, "one server requeues; the other then finds nothing failed");
            (await a.GetJobAsync(job, Ct))!.Parts.ShouldBe(new PartCounts(40, 0, 0, 0));
            await FailAllAsync(requeueMeanwhile: true);
        }
    }

    protected override async Task<IShoalStore> CreateStoreAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new PostgresStore(await PostgresTestDatabase.CreateSchemaAsync(ct));
        await store.MigrateAsync(ct);
        return store;
    }
}
