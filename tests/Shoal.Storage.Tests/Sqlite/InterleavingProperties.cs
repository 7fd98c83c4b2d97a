using FsCheck.Xunit;
using Shoal.Core.Model;
using Shoal.Storage.Sqlite;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests.Sqlite;

/// <summary>
/// Random interleavings of lease / complete / late-complete / fail / expire / pause / resume / cancel
/// against a real SQLite store and a real PostgreSQL one: no part is lost, none is counted done twice, and no stream completes
/// while it has unfinished parts.
/// </summary>
public sealed class InterleavingProperties
{
    [Property(MaxTest = 150)]
    public void RandomInterleavings_KeepTheAccountingExact(int[] ops)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-prop-");
        RunAsync(new SqliteStore(Path.Combine(dir.FullName, "p.db"), Core.Config.SqliteSync.Normal), ops).GetAwaiter().GetResult();
    }

    [Property(MaxTest = 60)]
    public void RandomInterleavings_KeepTheAccountingExact_OnPostgres(int[] ops)
    {
        var schema = Postgres.PostgresTestDatabase.CreateSchemaAsync(TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        RunAsync(new Storage.Postgres.PostgresStore(schema), ops).GetAwaiter().GetResult();
    }

    private static async Task RunAsync(IShoalStore created, int[] ops)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = created;
        await store.MigrateAsync(ct);
        var now = Start;
        var s = await store.SubmitAsync(Stream("s", 0, Job("a", parts: 4), Job("b", parts: 3, deps: "a"), Job("c", type: "pull-x", parts: 3)), Rules, now, ct);
        var held = new List<(string Owner, LeasedPart Part)>();
        var reported = new List<(string Owner, LeasedPart Part)>();
        var everDone = new HashSet<PartId>();
        var paused = false;
        foreach (var raw in ops.Take(60))
        {
            var x = Math.Abs(raw % 1000);
            var owner = "o" + (x / 10 % 3);
            switch (x % 10)
            {
                case 0 or 1 or 2:
                    var types = new List<TypeLimit> { new("scan", 2, TimeSpan.FromSeconds(30)), new("pull-x", -1, TimeSpan.FromSeconds(30)) };
                    foreach (var p in await store.LeaseAsync(new LeaseRequest(owner, "h", 5, types, 2, now, TimeSpan.FromSeconds(10)), ct))
                    {
                        held.Add((owner, p));
                    }

                    break;
                case 3 or 4 when held.Count > 0:
                    var i = x % held.Count;
                    await store.CompleteAsync([Ok(held[i].Part, held[i].Owner)], now, ct);
                    reported.Add(held[i]);
                    held.RemoveAt(i);
                    break;
                case 5 when held.Count > 0:
                    var f = x % held.Count;
                    await store.CompleteAsync([Fail(held[f].Part, held[f].Owner)], now, ct);
                    held.RemoveAt(f);
                    break;
                case 6:
                    now = now.AddSeconds(40);
                    await store.ExpireAsync(now, ct);
                    break;
                case 7:
                    _ = paused ? await store.ResumeStreamAsync(s.Id, now, ct) : await store.PauseStreamAsync(s.Id, now, ct);
                    paused = !paused;
                    break;
                case 8 when reported.Count > 0:
                    var r = reported[x % reported.Count];
                    (await store.CompleteAsync([Ok(r.Part, r.Owner)], now, ct)).Single().ShouldBe(ReportOutcome.Duplicate);
                    break;
                case 9 when x % 7 == 0:
                    await store.CancelStreamAsync(s.Id, "test", now, ct);
                    break;
            }

            await CheckAsync(store, s, everDone, ct);
        }

        await CheckAsync(store, s, everDone, ct);
    }

    private static async Task CheckAsync(IShoalStore store, StreamCreated s, HashSet<PartId> everDone, CancellationToken ct)
    {
        var detail = (await store.GetStreamAsync(s.Id, ct))!;
        var allDone = true;
        var scanHolders = new HashSet<string>();
        foreach (var job in detail.Jobs)
        {
            var parts = await store.GetPartsAsync(job.Id, ct);
            if (job.Type == "scan")
            {
                scanHolders.UnionWith(parts.Where(p => p.State == PartState.Leased).Select(p => p.Owner!));
            }

            var counted = new PartCounts(
                parts.Count(p => p.State == PartState.Ready),
                parts.Count(p => p.State == PartState.Leased),
                parts.Count(p => p.State == PartState.Done),
                parts.Count(p => p.State == PartState.Failed));
            job.Parts.ShouldBe(counted, $"counters of job {job.Name}");
            parts.Count.ShouldBe(job.Name == "a" ? 4 : 3, "no part is lost");
            foreach (var id in everDone)
            {
                parts.Where(p => p.Id == id).ShouldAllBe(p => p.State == PartState.Done, "a done part stays done");
            }

            foreach (var p in parts.Where(p => p.State == PartState.Done))
            {
                everDone.Add(p.Id);
            }

            allDone &= parts.All(p => p.State == PartState.Done) || (job.Type == "pull-x" && parts.All(p => p.State is PartState.Done or PartState.Failed));
            if (job.State == JobState.Completed)
            {
                counted.Ready.ShouldBe(0);
                counted.Leased.ShouldBe(0);
            }
        }

        scanHolders.Count.ShouldBeLessThanOrEqualTo(2, "the type's max of two agents");
        var a = detail.Jobs.Single(j => j.Name == "a");
        var b = detail.Jobs.Single(j => j.Name == "b");
        if (a.State != JobState.Completed)
        {
            (b.Parts.Leased + b.Parts.Done).ShouldBe(0, "b never runs before a completed");
        }

        if (detail.Stream.State == StreamState.Completed)
        {
            allDone.ShouldBeTrue("a completed stream has no unfinished part");
        }
    }
}
