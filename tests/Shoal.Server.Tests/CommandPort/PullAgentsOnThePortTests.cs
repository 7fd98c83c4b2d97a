using Shoal.Server.Tests.Pull;
using Shouldly;
using static Shoal.Server.Tests.CommandPort.CommandPortTests;

namespace Shoal.Server.Tests.CommandPort;

/// <summary>The command port's <c>status</c> and <c>load</c> count the pull agents holding leases, as they count spawned agents.</summary>
public sealed class PullAgentsOnThePortTests
{
    [Fact]
    public async Task StatusAndLoad_CountPullAgentsHoldingLeases()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"netscan","parts":["x","y","z"]}]}""");
        var job = created.Jobs["a"];
        await using var port = await Port.AuthenticatedAsync(server);
        (await port.AskAsync("load")).ShouldBe(["received", "host:localhost address:localhost max:8 running:0", "host:pull-agents address:rest max:-1 running:0", "", "end"]);

        var (one, _) = await server.AgentClientAsync("one");
        var (two, _) = await server.AgentClientAsync("two");
        (await one.LeaseAsync("netscan", max: 2)).Count.ShouldBe(2);
        (await two.LeaseAsync("netscan")).ShouldHaveSingleItem();

        (await port.AskAsync("load")).ShouldBe(["received", "host:localhost address:localhost max:8 running:0", "host:pull-agents address:rest max:-1 running:2", "", "end"]);
        (await port.AskAsync($"status {job}")).ShouldBe(["received", $"job:{job} status:JOB_STARTED type:netscan, priority:0 running:2 finished:0 failed:0", "end"]);
        var status = await Poll.UntilAsync(() => port.AskAsync("status"), s => !s.Any(l => l.StartsWith("job:-", StringComparison.Ordinal)), 30);
        status.ShouldContain($"job:{job} status:JOB_STARTED type:netscan, priority:0 running:2 finished:0 failed:0");
    }
}
