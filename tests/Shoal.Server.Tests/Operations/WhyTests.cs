using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using Shoal.Contracts;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Operations;

/// <summary><c>why</c> names the cause the broker leases by: tags no agent has, the jobs holding a type's slots, and priority only when it is higher.</summary>
public sealed class WhyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<IReadOnlyList<string>> WhyAsync(TestServer server, long job) =>
        (await server.Http.GetFromJsonAsync<WhyResponse>($"/api/v1/jobs/{job}/why", ShoalJson.Options, Ct))!.Reasons;

    [Fact]
    public async Task AJobNeedingTagsNoAgentHas_SaysSo_AndWorkOfTheSamePriorityIsNotCalledHigher()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() });
        var busy = await server.SubmitAsync("""{"name":"busy","jobs":[{"name":"all","type":"netscan","parts":["a","b","c"]}]}""");
        var dmz = await server.SubmitAsync("""{"name":"dmz","jobs":[{"name":"probe","type":"netscan","requires_tags":["dmz"],"parts":["x"]}]}""");
        await server.AgentClientAsync("inside", "net-a");

        var why = await WhyAsync(server, dmz.Jobs["probe"]);
        why.ShouldContain("needs an agent with tags dmz: no agent token has them (shoal token create --agent NAME --tags dmz)");
        why.ShouldContain("behind 3 parts queued earlier at the same priority");
        why.ShouldNotContain(r => r.Contains("higher priority", StringComparison.Ordinal));

        why.ShouldNotContain(r => r.StartsWith("no pull agent is asking", StringComparison.Ordinal), "the tags are the first cause");
        (await WhyAsync(server, busy.Jobs["all"])).ShouldContain("no pull agent is asking for type 'netscan' (none has called this server for it in the last 120 s)");

        await server.AgentClientAsync("edge", "dmz", "net-a");
        why = await WhyAsync(server, dmz.Jobs["probe"]);
        why.ShouldNotContain(r => r.StartsWith("needs an agent", StringComparison.Ordinal), "an agent token with the tag exists now");
        why.ShouldContain("no pull agent is asking for type 'netscan' (none has called this server for it in the last 120 s)", "but it does not run");

        // An agent without the tag asks for the type: it is named.
        var (inside, _) = await server.AgentClientAsync("inside-2", "net-a");
        (await inside.LeaseAsync("netscan")).ShouldHaveSingleItem();
        (await WhyAsync(server, dmz.Jobs["probe"])).ShouldContain("none of the 1 agents asking for 'netscan' has tags dmz (inside-2)");

        var urgent = await server.SubmitAsync("""{"name":"urgent","priority":5,"jobs":[{"name":"now","type":"netscan","parts":["u1","u2"]}]}""");
        (await WhyAsync(server, busy.Jobs["all"])).ShouldContain("behind 2 parts of higher priority (or forced)");
        _ = urgent;
    }

    [Fact]
    public async Task PartsNeedingTagsThisJobDoesNotNeed_AreNotCountedAhead_ButThoseItsAgentsAlsoTake_Are()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() });
        await server.SubmitAsync("""{"name":"dmz","priority":5,"jobs":[{"name":"edge","type":"netscan","requires_tags":["dmz"],"parts":["e1","e2","e3"]}]}""");
        await server.SubmitAsync("""{"name":"urgent","priority":5,"jobs":[{"name":"now","type":"netscan","parts":["u1"]}]}""");
        var plain = await server.SubmitAsync("""{"name":"plain","jobs":[{"name":"all","type":"netscan","parts":["a"]}]}""");
        var dmzToo = await server.SubmitAsync("""{"name":"dmz-low","jobs":[{"name":"edge-low","type":"netscan","requires_tags":["dmz"],"parts":["x"]}]}""");

        (await WhyAsync(server, plain.Jobs["all"])).ShouldContain("behind 1 part of higher priority (or forced)", "the 3 dmz parts go to dmz agents only");
        (await WhyAsync(server, dmzToo.Jobs["edge-low"])).ShouldContain("behind 4 parts of higher priority (or forced)", "a dmz agent takes both");
    }

    [Fact]
    public async Task TypeMaxReached_NamesTheJobsHoldingTheSlots()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = "[default]\nkind = pull\nlease = 60\nmax = 1\n" });
        var first = await server.SubmitAsync("""{"name":"first","jobs":[{"name":"sweep-a","type":"netscan","parts":["a","b"]}]}""");
        var second = await server.SubmitAsync("""{"name":"second","jobs":[{"name":"sweep-b","type":"netscan","parts":["c"]}]}""");
        var (agent, _) = await server.AgentClientAsync("one");
        (await agent.LeaseAsync("netscan")).ShouldHaveSingleItem().JobId.ShouldBe(first.Jobs["sweep-a"]);

        (await WhyAsync(server, second.Jobs["sweep-b"])).ShouldContain($"type max reached (1/1 agents), held by job {first.Jobs["sweep-a"]} sweep-a");
    }

    [Fact]
    public async Task APartWaitingToRetry_IsNamedWithItsAttemptAndTime_AndIsLeasedAgainOnlyOnceItsDelayPassed()
    {
        var t0 = new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(t0);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf(extra: "retry_delay = 30\nretry_backoff = 2") }, time: clock);
        var s = await server.SubmitAsync("""{"name":"flaky","jobs":[{"name":"probe","type":"netscan","parts":["host-7"]}]}""");
        var job = s.Jobs["probe"];
        var (agent, _) = await server.AgentClientAsync("a");
        var part = (await agent.LeaseAsync("netscan")).ShouldHaveSingleItem();
        (await agent.ReportAsync(part, "failed")).EnsureSuccessStatusCode();

        (await WhyAsync(server, job)).ShouldBe([$"retrying part {part.PartId} 'host-7' (attempt 2) at 2026-12-04 17:00:30Z, in 30 s"]);
        (await server.StreamAsync(s.Id)).Jobs.Single().Parts.ShouldBe(new PartCountsDto(0, 0, 0, 0, 1));
        (await agent.LeaseAsync("netscan")).ShouldBeEmpty("it waits its delay");

        clock.Advance(TimeSpan.FromSeconds(29));
        (await WhyAsync(server, job)).ShouldBe([$"retrying part {part.PartId} 'host-7' (attempt 2) at 2026-12-04 17:00:30Z, in 1 s"]);
        (await agent.LeaseAsync("netscan")).ShouldBeEmpty("a second early");

        clock.Advance(TimeSpan.FromSeconds(1.5));
        var again = await Poll.UntilAsync(() => agent.LeaseAsync("netscan"), l => l.Count == 1, 10);
        again.ShouldHaveSingleItem().Attempt.ShouldBe(2);
        (await agent.ReportAsync(again[0], "failed")).EnsureSuccessStatusCode();
        (await WhyAsync(server, job)).ShouldBe([$"retrying part {part.PartId} 'host-7' (attempt 3) at 2026-12-04 17:01:30Z, in 60 s"], "backoff 2: twice the wait");
    }
}
