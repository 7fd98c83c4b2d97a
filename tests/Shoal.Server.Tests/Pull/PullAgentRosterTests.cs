using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Server.Tests.Pull;

/// <summary>Pull agents are seen like spawned ones: in <c>GET /api/v1/agents</c> with leases, reports, tags, and lost when silent.</summary>
public sealed class PullAgentRosterTests
{
    [Fact]
    public async Task PullAgents_AreListed_WithLeasesReportsAndTags_AndASilentOneIsLost()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() }, time: time);
        await server.SubmitAsync("""{"name":"s","jobs":[{"name":"scan","type":"netscan","parts":["a","b","c","d","e"]}]}""");
        var (a, _) = await server.AgentClientAsync("scan-a", "net-a");
        var (b, _) = await server.AgentClientAsync("scan-b");
        (await server.AgentsAsync()).Pull.ShouldBeEmpty("no agent has called yet");

        var leased = await a.LeaseAsync("netscan", max: 3);
        leased.Count.ShouldBe(3);
        await a.ReportOkAsync(leased[0]);
        (await a.ReportAsync(leased[1], "failed")).EnsureSuccessStatusCode();
        (await b.LeaseAsync("netscan", max: 1)).Count.ShouldBe(1);

        var pull = (await server.AgentsAsync()).Pull!;
        pull.Select(p => p.Name).Order().ShouldBe(["scan-a", "scan-b"]);
        var first = pull.Single(p => p.Name == "scan-a");
        first.State.ShouldBe("busy");
        first.Leases.ShouldBe(1, "three leased, two reported");
        first.Done.ShouldBe(1);
        first.Failed.ShouldBe(1);
        first.Rate.ShouldBe(2);
        first.Tags.ShouldBe(["net-a"]);
        first.Types.ShouldBe(["netscan"]);
        pull.Single(p => p.Name == "scan-b").Leases.ShouldBe(1);
        (await Poll.UntilAsync(OverviewAsync, o => o.AgentsBusy == 2, 10)).AgentsBusy.ShouldBe(2, "the overview counts pull agents too");

        // scan-a falls silent; scan-b keeps calling.
        time.Advance(TimeSpan.FromMinutes(3));
        await b.LeaseAsync("netscan", max: 1);
        pull = (await server.AgentsAsync()).Pull!;
        pull.Single(p => p.Name == "scan-a").State.ShouldBe("lost");
        pull.Single(p => p.Name == "scan-b").State.ShouldNotBe("lost");
        (await Poll.UntilAsync(OverviewAsync, o => o.AgentsLost == 1, 10)).AgentsLost.ShouldBe(1);
        var metrics = Prometheus.Plain(await server.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken));
        metrics.ShouldContain("shoal_pull_agents{state=\"lost\"} 1");

        async Task<OverviewDto> OverviewAsync() =>
            (await server.Http.GetFromJsonAsync<OverviewDto>("/api/v1/overview", ShoalJson.Options, TestContext.Current.CancellationToken))!;
    }
}
