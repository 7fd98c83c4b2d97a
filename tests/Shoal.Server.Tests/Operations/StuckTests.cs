using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Shoal.Server.Operations;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Operations;

/// <summary>A job no live agent can take (tags none has, no pull agent asking) makes its stream stuck after stuck_seconds, and the mark goes when an agent can.</summary>
public sealed class StuckTests
{
    [Fact]
    public async Task AJobNeedingTagsNoLiveAgentHas_IsStuckOnlyAfterStuckSeconds_AndNoLongerOnceAnAgentWithThemAsks()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero));
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() }, extraScheduler: "stuck_seconds = 60", time: clock);
        var plain = await server.SubmitAsync("""{"name":"plain","jobs":[{"name":"all","type":"netscan","parts":["a","b","c"]}]}""");
        var dmz = await server.SubmitAsync("""{"name":"dmz","jobs":[{"name":"probe","type":"netscan","requires_tags":["dmz"],"parts":["x"]}]}""");
        var (inside, _) = await server.AgentClientAsync("inside");
        (await inside.LeaseAsync("netscan")).ShouldHaveSingleItem().JobId.ShouldBe(plain.Jobs["all"]);

        // Seen at the first check; not stuck before 60 s have passed with the cause unchanged.
        await Tick(clock, server, TimeSpan.FromSeconds(1));
        await Tick(clock, server, TimeSpan.FromSeconds(30));
        (await server.StreamAsync(dmz.Id)).Stuck.ShouldBeNull("30 s is not stuck_seconds");
        (await inside.LeaseAsync("netscan")).ShouldHaveSingleItem(); // the agent stays live (it asks)

        await Tick(clock, server, TimeSpan.FromSeconds(31));
        var stuck = await Poll.UntilAsync(() => server.StreamAsync(dmz.Id), s => s.Stuck is not null, 10);
        stuck.Stuck.ShouldBe("job 'probe' needs an agent with tags dmz: no live agent of type 'netscan' has them");
        stuck.State.ShouldBe("queued");
        (await server.StreamAsync(plain.Id)).Stuck.ShouldBeNull("an agent takes its parts");

        var (edge, _) = await server.AgentClientAsync("edge", "dmz");
        (await edge.LeaseAsync("netscan", max: 10)).ShouldContain(p => p.JobId == dmz.Jobs["probe"]);
        await Tick(clock, server, TimeSpan.FromSeconds(1));
        (await Poll.UntilAsync(() => server.StreamAsync(dmz.Id), s => s.Stuck is null, 10)).Stuck.ShouldBeNull("an agent with the tag took it");
    }

    [Fact]
    public async Task AJobOfATypeWhoseAgentNeverAnswers_IsStuckAfterStuckSeconds_NotAfterTheHeartbeatTimeout()
    {
        var silent = Path.Combine(Path.GetTempPath(), $"silent-agent-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(silent, "#!/bin/sh\nexec sleep 1000\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(silent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["silent"] = $"[default]\ncommand = {silent}\nmax = 1\n" }, extraScheduler: "stuck_seconds = 1\ntick_seconds = 0.2");
        var created = await server.SubmitAsync("""{"name":"quiet","jobs":[{"name":"q","type":"silent","parts":["x"]}]}""");

        var stuck = await Poll.UntilAsync(() => server.StreamAsync(created.Id), s => s.Stuck is not null, 20);
        stuck.Stuck.ShouldBe("job 'q': agent type 'silent' is still in its self-test (no VERSION yet)", "seconds, not the 180 s heartbeat time-out");
    }

    /// <summary>Moves the clock and waits until the leader's check has run on it (a stuck mark, or its absence, then reflects the new time).</summary>
    private static async Task Tick(FakeTimeProvider clock, TestServer server, TimeSpan by)
    {
        clock.Advance(by);
        var watch = server.App.Services.GetRequiredService<StuckWatch>();
        var now = clock.GetUtcNow();
        (await Poll.UntilAsync(() => Task.FromResult(watch.CheckedAt), at => at >= now, 10)).ShouldBeGreaterThanOrEqualTo(now);
    }
}
