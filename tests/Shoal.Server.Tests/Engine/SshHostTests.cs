using Shouldly;

namespace Shoal.Server.Tests.Engine;

/// <summary>Agents on a "remote" host reached with the system ssh client (a real sshd on 127.0.0.1).</summary>
public sealed class SshHostTests
{
    [Fact]
    public async Task RemoteHost_RunsAgentsOverSsh_AndTheirPartsComplete()
    {
        await using var ssh = await SshHost.StartAsync();
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["scan"] = SpanRecord.Conf("scan", record, 3, "0") },
            hosts: "far = 127.0.0.1 AGENT_DIR 3",
            extraSections: ssh.SshSection);
        var created = await server.SubmitAsync($$"""{"name":"remote","jobs":[{"name":"scan","type":"scan","parts":[{{string.Join(",", Enumerable.Range(0, 30).Select(i => $"\"r{i}\""))}}]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");
        var spans = SpanRecord.Read(record);
        spans.Count.ShouldBe(30);
        spans.ShouldAllBe(s => s.Where == "remote");
    }

    [Fact]
    public async Task LocalTypesStayLocal_AndAffinityRoutesKeysToTheirHost()
    {
        await using var ssh = await SshHost.StartAsync();
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string>
            {
                ["loc"] = SpanRecord.Conf("loc", record, 4, "0.02", "special[] = LOCAL"),
                ["scan"] = SpanRecord.Conf("scan", record, 4, "0"),
            },
            hosts: "localhost = localhost AGENT_DIR 2\nfar = 127.0.0.1 AGENT_DIR 2",
            extraSections: ssh.SshSection + "\n[AFFINITY]\nlocalhost[] = scan 00 7f\nfar[] = scan 80 ff\n");
        var keyed = string.Join(",", Enumerable.Range(0, 32).Select(i => $$"""{"key":"{{i * 8:x2}}"}"""));
        var created = await server.SubmitAsync($$"""
            {"name":"routes","jobs":[
              {"name":"loc","type":"loc","parts":[{{string.Join(",", Enumerable.Range(0, 12).Select(i => $"\"l{i}\""))}}]},
              {"name":"scan","type":"scan","parts":[{{keyed}}]}]}
            """);
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");

        var spans = SpanRecord.Read(record);
        spans.Where(s => s.Type == "loc").ShouldAllBe(s => s.Where == "local");
        var scans = spans.Where(s => s.Type == "scan").ToList();
        scans.Count.ShouldBe(32);
        foreach (var s in scans)
        {
            var key = Convert.ToInt32(s.Payload.Split('"')[3], 16);
            s.Where.ShouldBe(key < 0x80 ? "local" : "remote", $"key {key:x2}");
        }
    }

    [Fact]
    public async Task UnreachableHost_IsMarkedDown_AndItsWorkGoesElsewhere()
    {
        await using var ssh = await SshHost.StartAsync();
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["scan"] = SpanRecord.Conf("scan", record, 4, "0") },
            extraScheduler: "host_down_after = 1\nhost_down_seconds = 600",
            hosts: "dead = 127.0.0.3 AGENT_DIR 8\nlocalhost = localhost AGENT_DIR 2",
            extraSections: ssh.SshSection);
        var created = await server.SubmitAsync($$"""{"name":"elsewhere","jobs":[{"name":"scan","type":"scan","parts":[{{string.Join(",", Enumerable.Range(0, 10).Select(i => $"\"e{i}\""))}}]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");
        SpanRecord.Read(record).ShouldAllBe(s => s.Where == "local");
        var agents = await Poll.UntilAsync(server.AgentsAsync, a => a.Hosts.Single(h => h.Name == "dead").Down, 30);
        agents.Hosts.Single(h => h.Name == "dead").Down.ShouldBeTrue();
        agents.Types.Single().Hosts.Single(h => h.Host == "dead").State.ShouldBe("invalid");
    }

    [Fact]
    public async Task AnAgentsLaterAtPidLine_IsIgnored_SoAPauseStopsTheAgentAndNotTheProcessGroupItNamed()
    {
        await using var ssh = await SshHost.StartAsync();
        using var victim = System.Diagnostics.Process.Start("setsid", "sleep 300")!;
        var pidFile = Path.GetTempFileName();
        try
        {
            await using var server = await TestServer.StartAsync(
                new Dictionary<string, string> { ["liar"] = $"[default]\ncommand = {TestServer.TestAgent("pid_liar")} {victim.Id} {pidFile}\nmax = 1\n" },
                hosts: "far = 127.0.0.1 AGENT_DIR 1",
                extraSections: ssh.SshSection);
            var created = await server.SubmitAsync("""{"name":"liar","jobs":[{"name":"work","type":"liar","parts":["p1"]}]}""");
            var job = created.Jobs["work"];

            // The agent has its part, has claimed the victim's group, and its HEART after that was read.
            (await Poll.UntilAsync(server.AgentsAsync, a => a.Agents.Any(x => x.Items == 7), 60)).Agents.ShouldContain(x => x.Items == 7);
            var agentPid = int.Parse((await File.ReadAllTextAsync(pidFile, TestContext.Current.CancellationToken)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

            (await server.PostAsync($"/api/v1/jobs/{job}/pause")).EnsureSuccessStatusCode();
            (await Poll.UntilAsync(() => Task.FromResult(ProcStat.State(agentPid)), s => s == 'T', 30)).ShouldBe('T', "the agent itself was suspended");
            ProcStat.State(victim.Id).ShouldNotBe('T', "the process group the agent named was left alone");
            (await server.PostAsync($"/api/v1/jobs/{job}/resume")).EnsureSuccessStatusCode();
            (await server.PostAsync($"/api/v1/jobs/{job}/cancel")).EnsureSuccessStatusCode();
        }
        finally
        {
            victim.Kill();
        }
    }
}
