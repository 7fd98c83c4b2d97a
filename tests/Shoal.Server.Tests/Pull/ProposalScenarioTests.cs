using System.Net;
using Microsoft.Extensions.Time.Testing;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Storage;
using Shouldly;

namespace Shoal.Server.Tests.Pull;

/// <summary>
/// The proposal's scenario, step by step, with three agents on a 192.168.0.0/29 range of single-address
/// parts; time is a <see cref="FakeTimeProvider"/>, so leases expire exactly when the test says.
/// </summary>
public sealed class ProposalScenarioTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeAgents_LeaseExpiry_Reissue_LateReport_AndDuplicate()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf(60) }, time: clock);
        var created = await server.SubmitAsync("""{"name":"net","jobs":[{"name":"scan","type":"netscan","generate":{"range":"192.168.0.0/29","chunk":1}}]}""");
        var job = new JobId(created.Jobs["scan"]);
        await Poll.UntilAsync(() => server.Store.GetPartsAsync(job, Ct), p => p.Count == 8, 20);
        var (a, _) = await server.AgentClientAsync("A");
        var (b, _) = await server.AgentClientAsync("B");
        var (c, _) = await server.AgentClientAsync("C");
        async Task<PartView> Part(string address) => (await server.Store.GetPartsAsync(job, Ct)).Single(p => p.Payload == address);

        // A and B lease.
        var a0 = (await a.LeaseAsync("netscan")).Single();
        var b1 = (await b.LeaseAsync("netscan")).Single();
        a0.Payload.GetString().ShouldBe("192.168.0.0");
        b1.Payload.GetString().ShouldBe("192.168.0.1");
        (await Part("192.168.0.1")).State.ShouldBe(PartState.Leased);

        // A reports and leases again.
        (await a.ReportOkAsync(a0)).ShouldBe(new CompleteResponse(true, false, false));
        (await Part("192.168.0.0")).State.ShouldBe(PartState.Done);
        var a2 = (await a.LeaseAsync("netscan")).Single();
        a2.Payload.GetString().ShouldBe("192.168.0.2");

        // B goes silent; A heartbeats. B's lease expires and its part goes back to the stack, attempt 2.
        clock.Advance(TimeSpan.FromSeconds(30));
        (await a.HeartbeatAsync(a2)).Extended.ShouldBeTrue();
        clock.Advance(TimeSpan.FromSeconds(31));
        var expired = await Poll.UntilAsync(() => Part("192.168.0.1"), p => p.State == PartState.Ready, 10);
        expired.Attempt.ShouldBe(2);
        (await Part("192.168.0.2")).State.ShouldBe(PartState.Leased, "A's heartbeat kept its lease");

        // The expired part goes to A, the next agent that asks.
        (await a.ReportOkAsync(a2)).Accepted.ShouldBeTrue();
        var a1 = (await a.LeaseAsync("netscan")).Single();
        a1.PartId.ShouldBe(b1.PartId);
        a1.Attempt.ShouldBe(2);

        // C cannot report a lease it never held.
        var forged = await c.ReportAsync(b1);
        forged.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // B comes back and reports the old part late: accepted, and A's re-issued lease is void.
        (await b.ReportOkAsync(b1)).ShouldBe(new CompleteResponse(true, true, false));
        (await Part("192.168.0.1")).State.ShouldBe(PartState.Done);
        (await a.ReportOkAsync(a1)).ShouldBe(new CompleteResponse(true, false, true));
        (await a.HeartbeatAsync(a1)).Extended.ShouldBeFalse();

        // C and B lease the next parts.
        (await c.LeaseAsync("netscan")).Single().Payload.GetString().ShouldBe("192.168.0.3");
        (await b.LeaseAsync("netscan")).Single().Payload.GetString().ShouldBe("192.168.0.4");
        var counts = (await server.StreamAsync(created.Id)).Jobs[0].Parts;
        counts.ShouldBe(new PartCountsDto(3, 2, 3, 0));
    }
}
