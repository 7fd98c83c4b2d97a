using Shoal.Core.Model;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests;

/// <summary>Lost pull agents: the servers record when each agent last called; the leader releases a silent agent's leases at once.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task LostAgents_OnlyTheSilentAgentsLeasesAreReleased_AsATryThatFailed_AndTheLaterCallWinsWhicheverServerRecordedIt()
    {
        var s = await Submit(Stream("s", 0, Job("scan", parts: 6)));
        var job = s.Jobs["scan"];
        var silent = await Store.LeaseAsync(Lease("pull:1:silent", Start, max: 2), Ct);
        var alive = await Store.LeaseAsync(Lease("pull:2:alive", Start, max: 2), Ct);
        var unknown = await Store.LeaseAsync(Lease("pull:3:unrecorded", Start, max: 2), Ct);

        // Server b heard the live agent late; server a then records an older call of it: the later one stays.
        await Store.RecordAgentsSeenAsync([new AgentSeen("pull:1:silent", Start), new AgentSeen("pull:2:alive", Start.AddSeconds(100))], "b", Ct);
        await Store.RecordAgentsSeenAsync([new AgentSeen("pull:2:alive", Start.AddSeconds(10))], "a", Ct);
        (await Store.ListAgentsSeenAsync(Ct)).ShouldBe([new AgentSeen("pull:1:silent", Start), new AgentSeen("pull:2:alive", Start.AddSeconds(100))]);

        var now = Start.AddSeconds(130);
        var lost = await Store.ReleaseLostAgentsAsync(now.AddSeconds(-120), "agent lost: no call for 120 s", now, Ct);

        lost.ShouldBe(["pull:1:silent"], "the live agent called 30 s ago; an agent no server recorded is left to its deadline");
        var parts = (await Store.GetPartsAsync(job, Ct)).ToDictionary(p => p.Id);
        foreach (var p in silent)
        {
            parts[p.PartId].State.ShouldBe(PartState.Ready, "given back at once, not at its deadline");
            parts[p.PartId].Attempt.ShouldBe(2, "the lost try counts");
        }

        alive.Concat(unknown).ShouldAllBe(p => parts[p.PartId].State == PartState.Leased);
        (await JobOf(job)).Parts.ShouldBe(new PartCounts(2, 4, 0, 0, 0));
        (await Store.ReleaseLostAgentsAsync(now.AddSeconds(-120), "again", now, Ct)).ShouldBeEmpty("nothing is held by it any more");

        // Its late report is still taken (nothing is lost), and the part is done once.
        (await Store.CompleteAsync([Ok(silent[0], "pull:1:silent")], now, Ct)).ShouldBe([ReportOutcome.AcceptedLate]);
        (await JobOf(job)).Parts.Done.ShouldBe(1);
    }
}
