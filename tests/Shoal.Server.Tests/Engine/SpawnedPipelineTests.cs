using System.Net.Http.Json;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Server.Tests.Engine;

/// <summary>Real bash agents spawned by a real server, through the FOSSology line protocol.</summary>
public sealed class SpawnedPipelineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pipeline_UnpackThenParallelScansThenReport_Completes()
    {
        var record = Path.GetTempFileName();
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string>
            {
                ["unpack"] = TestServer.NoopConf(1, record: record),
                ["scan"] = TestServer.NoopConf(3, "chunk = 5", record),
                ["report"] = TestServer.NoopConf(1, record: record),
            });
            var parts = string.Join(",", Enumerable.Range(0, 60).Select(i => $"\"f{i}\""));
            var created = await server.SubmitAsync($$"""
                {"name":"upload","jobs":[
                  {"name":"unpack","type":"unpack","parts":["archive.tar"]},
                  {"name":"lic","type":"scan","depends_on":["unpack"],"parts":[{{parts}}]},
                  {"name":"cop","type":"scan","depends_on":["unpack"],"parts":[{{parts}}]},
                  {"name":"report","type":"report","depends_on":["lic","cop"]}]}
                """);
            var done = await server.WaitEndAsync(created.Id);
            done.State.ShouldBe("completed");
            done.Jobs.Sum(j => j.Parts.Done).ShouldBe(122);
            var lines = await File.ReadAllLinesAsync(record, Ct);
            lines.Length.ShouldBe(122);
            Array.IndexOf(lines, lines.First(l => l.StartsWith("archive.tar", StringComparison.Ordinal))).ShouldBe(0, "unpack ran first");
            lines[^1].ShouldStartWith(" ", customMessage: "the report's empty part ran last");
        }
    }

    [Fact]
    public async Task CSharpSdkAgent_ProcessesEveryPart()
    {
        var record = Path.GetTempFileName();
        var agent = Path.Combine(AppContext.BaseDirectory, "shoal-example-agent.dll");
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["count"] = $"[default]\ncommand = dotnet {agent} --record={record}\nmax = 2\nchunk = 3\n",
        });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"count","parts":["a","bb","ccc","dddd","eeeee","ffffff","g"]}]}""");
        var end = await server.WaitEndAsync(created.Id);
        end.State.ShouldBe("completed");
        var lines = Directory.GetFiles(Path.GetDirectoryName(record)!, Path.GetFileName(record) + ".*")
            .SelectMany(File.ReadAllLines).Select(l => l.Split(' ')).ToList();
        lines.Select(l => l[0]).Order().ShouldBe(["a", "bb", "ccc", "dddd", "eeeee", "ffffff", "g"]);
        lines.ShouldAllBe(l => l[0].Length.ToString() == l[1]);
    }

    [Fact]
    public async Task PythonAgent_ProcessesEveryPart()
    {
        var record = Path.GetTempFileName();
        var agent = Path.Combine(TestServer.RepoRoot, "examples", "agents", "python-agent.py");
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["words"] = $"[default]\ncommand = {agent} --record={record}\nmax = 1\nchunk = 2\n",
        });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"words","parts":["one","two words","three more words"]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");
        (await File.ReadAllLinesAsync(record, Ct)).ShouldBe(["one\t1", "two words\t2", "three more words\t3"]);
    }

    [Fact]
    public async Task AgentThatNeverSendsVersion_MarksTheTypeInvalid_AndWhySaysSo()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"bad-agent-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(bad, "#!/bin/sh\necho 'hello there'\nsleep 5\n", Ct);
        File.SetUnixFileMode(bad, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["bad"] = $"[default]\ncommand = {bad}\nmax = 1\n" });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"bad","parts":["x"]}]}""");
        var why = await Poll.UntilAsync(
            () => server.Http.GetFromJsonAsync<WhyResponse>($"/api/v1/jobs/{created.Jobs["a"]}/why", ShoalJson.Options, Ct),
            w => w!.Reasons.Any(r => r.Contains("invalid", StringComparison.Ordinal)),
            10);

        why!.Reasons.ShouldContain(r => r.Contains("agent type 'bad' is invalid: agent didn't send version information: \"hello there\"", StringComparison.Ordinal));
        (await server.StreamAsync(created.Id)).Jobs[0].Parts.Done.ShouldBe(0);
    }

    [Fact]
    public async Task WithInvalidTypeJobsFail_AJobOfATypeThatNeverSaysVersion_FailsWithFossologysMessage()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"bad-agent-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(bad, "#!/bin/sh\necho 'hello there'\nsleep 5\n", Ct);
        File.SetUnixFileMode(bad, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["bad"] = $"[default]\ncommand = {bad}\nmax = 1\n", ["scan"] = TestServer.NoopConf() },
            extraScheduler: "invalid_type_jobs = fail");
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"bad","parts":["x"]},{"name":"b","type":"scan","parts":["y"]}]}""");
        var stream = await Poll.UntilAsync(() => server.StreamAsync(created.Id), s => s.Jobs.All(j => j.State is "failed" or "completed" or "cancelled"), 20);

        var a = stream.Jobs.Single(j => j.Name == "a");
        a.State.ShouldBe("failed");
        a.Reason.ShouldBe("agent type has been invalidated: agent didn't send version information: \"hello there\"");
        stream.Jobs.Single(j => j.Name == "b").State.ShouldBe("completed", "a valid type's job of the same stream runs");
    }

    [Fact]
    public async Task Why_NamesThePendingDependency_AndThePausedStream()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["scan"] = TestServer.NoopConf(0) });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"scan"},{"name":"b","type":"scan","depends_on":["a"]}]}""");
        var b = await server.Http.GetFromJsonAsync<WhyResponse>($"/api/v1/jobs/{created.Jobs["b"]}/why", ShoalJson.Options, Ct);
        b!.Reasons.ShouldBe(["waiting for dependency a (ready)"]);
        var a = await server.Http.GetFromJsonAsync<WhyResponse>($"/api/v1/jobs/{created.Jobs["a"]}/why", ShoalJson.Options, Ct);
        a!.Reasons.ShouldContain("type max is 0: 'scan' is held");
        await server.Http.PostAsync($"/api/v1/streams/{created.Id}/pause", null, Ct);
        a = await server.Http.GetFromJsonAsync<WhyResponse>($"/api/v1/jobs/{created.Jobs["a"]}/why", ShoalJson.Options, Ct);
        a!.Reasons.ShouldBe(["stream paused"]);
    }
}
