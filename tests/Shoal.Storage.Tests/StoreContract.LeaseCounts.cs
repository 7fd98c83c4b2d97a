using System.Diagnostics;
using Shoal.Core.Model;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests;

/// <summary>The pull agents' lease counts (the command port's <c>status</c> and <c>load</c>, the agents list): exact by prefix, and as cheap with a large backlog as without.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task LeaseCounts_CountTheOwnersOfThePrefixOnly_AndDoNotWalkAReadyBacklog()
    {
        var s = await Submit(Stream("s", 0, Job("scan", parts: 6)));
        string[] owners = ["pull:1:é-agent", "pull:2:b", "pull:2:b", "PULL:3:shouting", "pullover", "spawned:h1:4"];
        foreach (var owner in owners)
        {
            (await Store.LeaseAsync(Lease(owner, Start, max: 1), Ct)).Count.ShouldBe(1);
        }

        var byOwner = await Store.CountLeasesByOwnerAsync("pull:", Ct);
        byOwner.ShouldBe(new Dictionary<string, int> { ["pull:1:é-agent"] = 1, ["pull:2:b"] = 2 }, ignoreOrder: true);
        (await Store.CountLeaseHoldersByJobAsync("pull:", Ct)).ShouldBe(new Dictionary<JobId, int> { [s.Jobs["scan"]] = 2 }, ignoreOrder: true);

        // 300,000 ready parts no one leases: the counts read the leased parts only, not the backlog (on SQLite they
        // walked the whole (job, state) index: 18 ms a call here, and the command port's status calls them each time).
        await Submit(new Core.Streams.StreamSpec("backlog", "ops@example.com", 0,
            [new Core.Streams.JobSpec("held", "held", [], Enumerable.Range(0, 300_000).Select(i => new Core.Streams.PartSpec(i.ToString(System.Globalization.CultureInfo.InvariantCulture), null)).ToList(), null)]));
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 7; i++)
        {
            var watch = Stopwatch.StartNew();
            (await Store.CountLeaseHoldersByJobAsync("pull:", Ct)).Count.ShouldBe(1);
            (await Store.CountLeasesByOwnerAsync("pull:", Ct)).Count.ShouldBe(2);
            fastest = TimeSpan.FromTicks(Math.Min(fastest.Ticks, watch.Elapsed.Ticks));
        }

        fastest.ShouldBeLessThan(TimeSpan.FromMilliseconds(6), "both counts, the fastest of 7 tries");
    }
}
