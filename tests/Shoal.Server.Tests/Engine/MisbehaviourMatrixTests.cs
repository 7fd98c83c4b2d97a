using Shouldly;

namespace Shoal.Server.Tests.Engine;

/// <summary>
/// FOSSology's scheduler test agents, rewritten in bash: each type is self-tested at start
/// (VERSION → OK → CLOSE → BYE 0) and ends valid or invalid with the reason.
/// </summary>
public sealed class MisbehaviourMatrixTests
{
    [Fact]
    public async Task SelfTest_PassesWellBehavedAgents_AndInvalidatesTheOthersWithTheReason()
    {
        string Conf(string name) => $"[default]\ncommand = {TestServer.TestAgent(name)}\nmax = 2\nheartbeat_timeout = 1.5\n";
        var names = new[] { "simple", "multi_connect", "no_update", "before_connect", "no_check", "no_disconnect", "quick_death", "wait_special" };
        await using var server = await TestServer.StartAsync(names.ToDictionary(n => n, Conf), extraScheduler: "kill_grace = 1");
        var agents = await Poll.UntilAsync(server.AgentsAsync, a => a.Types.All(t => t.Hosts.Count > 0 && t.Hosts.All(h => h.State != "testing")), 45);

        var verdicts = agents.Types.ToDictionary(t => t.Name, t => (t.Valid, Reason: t.Hosts.Single().Reason ?? ""));
        verdicts["simple"].Valid.ShouldBeTrue();
        verdicts["multi_connect"].Valid.ShouldBeTrue();
        verdicts["no_update"].Valid.ShouldBeTrue("NOKILL keeps a silent agent alive");
        verdicts["before_connect"].ShouldBe((false, "agent didn't send version information: \"starting up... VERSION: test\""));
        verdicts["no_check"].Valid.ShouldBeFalse();
        verdicts["no_check"].Reason.ShouldStartWith("no output for");
        verdicts["no_disconnect"].ShouldBe((false, "agent exited with code 0 without BYE 0"));
        verdicts["quick_death"].ShouldBe((false, "agent exited with code 1 without BYE 0"));
        verdicts["wait_special"].Valid.ShouldBeFalse("NOKILL was cleared, then it went silent");
        verdicts["wait_special"].Reason.ShouldStartWith("no output for");
    }
}
