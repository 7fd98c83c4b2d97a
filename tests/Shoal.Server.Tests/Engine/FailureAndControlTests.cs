using System.Net;
using Shouldly;

namespace Shoal.Server.Tests.Engine;

/// <summary>Crashes, retries, time-outs, pause/restart with real signals, and outputs that flow forward.</summary>
public sealed class FailureAndControlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CrashMidChunk_IsRetriedOnAnotherAgent_AndTheStreamCompletes()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["scan"] = SpanRecord.Conf("scan", record, 2, "0") });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"scan","type":"scan","parts":["a","crash-once","b","c"]}]}""");
        var end = await server.WaitEndAsync(created.Id);
        end.State.ShouldBe("completed");
        end.Jobs[0].Parts.Done.ShouldBe(4);
        var spans = SpanRecord.Read(record);
        spans.Select(s => s.Payload).Order().ShouldBe(["a", "b", "c", "crash-once"]);
        File.Exists(record + ".once").ShouldBeTrue("the first try crashed");
    }

    [Fact]
    public async Task PastRetries_TheJobFails_AndItsDependentsAreCancelled()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["scan"] = SpanRecord.Conf("scan", record, 2, "0", "retries = 1"),
        });
        var created = await server.SubmitAsync("""
            {"name":"s","jobs":[
              {"name":"a","type":"scan","parts":["crash-always","fine"]},
              {"name":"b","type":"scan","depends_on":["a"]},
              {"name":"c","type":"scan","depends_on":["b"]}]}
            """);
        var end = await server.WaitEndAsync(created.Id);
        end.State.ShouldBe("failed");
        var a = end.Jobs.Single(j => j.Name == "a");
        a.State.ShouldBe("failed");
        a.Reason!.ShouldContain("'crash-always' failed after 2 attempts", Case.Sensitive, "the reason names the payload");
        end.Jobs.Where(j => j.Name != "a").ShouldAllBe(j => j.State == "cancelled" && j.Reason == "dependency failed");

        // The cancelled jobs' parts never ran and never will: not "ready" (before: ready=1 each).
        end.Jobs.Where(j => j.Name != "a").ShouldAllBe(j => j.Parts.Ready == 0 && j.Parts.NotRun == 1);
    }

    [Fact]
    public async Task RequeueOverRest_RunsTheFailedPartAgain_ReopensTheCancelledDependents_AndTheStreamCompletes()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["scan"] = SpanRecord.Conf("scan", record, 2, "0", "retries = 0"),
        });
        var created = await server.SubmitAsync("""
            {"name":"s","jobs":[
              {"name":"a","type":"scan","parts":["crash-once","fine"]},
              {"name":"b","type":"scan","depends_on":["a"]}]}
            """);
        var end = await server.WaitEndAsync(created.Id);
        end.State.ShouldBe("failed");
        end.Jobs.Single(j => j.Name == "b").Reason.ShouldBe("dependency failed");

        var b = await server.PostAsync($"/api/v1/jobs/{created.Jobs["b"]}/requeue");
        b.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await b.Content.ReadAsStringAsync(Ct)).ShouldContain("for a job cancelled because a dependency failed, requeue that dependency");
        (await server.PostAsync("/api/v1/jobs/99999/requeue")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await server.PostAsync("/api/v1/streams/x/requeue")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        foreach (var limit in new[] { "0", "-1", "1001", "2147483648", "x" })
        {
            var bad = await server.Http.GetAsync($"/api/v1/jobs/{created.Jobs["a"]}/failed?limit={limit}", Ct);
            bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest, limit);
            (await bad.Content.ReadAsStringAsync(Ct)).ShouldContain($"'limit' must be an integer from 1 to 1000, got '{limit}'");
        }


        var a = await server.PostAsync($"/api/v1/jobs/{created.Jobs["a"]}/requeue");
        a.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await a.Content.ReadAsStringAsync(Ct)).ShouldContain("\"ready\"");
        var again = await server.WaitEndAsync(created.Id);
        again.State.ShouldBe("completed", "the crash happened once; its second try, after the requeue, succeeds");
        again.Jobs.ShouldAllBe(j => j.State == "completed");
        SpanRecord.Read(record).Count(x => x.Payload == "fine").ShouldBe(1, "a done part is not run again");
        (await server.PostAsync($"/api/v1/streams/{created.Id}/requeue")).StatusCode.ShouldBe(HttpStatusCode.Conflict, "nothing failed any more");

        // Every operator action is in the log at the default level: what, on what, how it ended.
        var log = Path.Combine(server.Dir, ".shoal", "logs", "shoal.log");
        var lines = await Poll.UntilAsync(() => File.ReadAllLinesAsync(log, Ct), l => l.Any(x => x.Contains($"operator: requeue stream {created.Id}: refused in its state", StringComparison.Ordinal)), 10);
        lines.ShouldContain(l => l.Contains($"operator: requeue job {created.Jobs["a"]}: done", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("operator: requeue job 99999: not found", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JobTimeout_StopsItsAgents_AndFailsTheJob()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["slow"] = SpanRecord.Conf("slow", record, 2, "30") },
            extraScheduler: "kill_grace = 1");
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"slow","type":"slow","timeout":1,"parts":["x","y"]}]}""");
        var end = await server.WaitEndAsync(created.Id, 30);
        end.State.ShouldBe("failed");
        end.Jobs[0].Reason.ShouldBe("timed out after 1 s");
        var agents = await Poll.UntilAsync(server.AgentsAsync, a => a.Agents.Count == 0, 20);
        agents.Agents.ShouldBeEmpty("the slow agents were stopped");
    }

    [Fact]
    public async Task PausedJob_SuspendsItsAgents_AndFreesTheirSlots_RestartResumesThem()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["slow"] = SpanRecord.Conf("slow", record, 1, "0.5") });
        var first = await server.SubmitAsync("""{"name":"first","jobs":[{"name":"j","type":"slow","parts":["p1","p2","p3"]}]}""");
        var busy = await Poll.UntilAsync(server.AgentsAsync, a => a.Agents.Any(x => x.Phase == "busy"), 30);
        var pid = busy.Agents.Single(x => x.Phase == "busy").Pid;

        (await server.PostAsync($"/api/v1/jobs/{first.Jobs["j"]}/pause")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Poll.UntilAsync(() => Task.FromResult(ProcessState(pid)), s => s == 'T', 10);
        ProcessState(pid).ShouldBe('T', "the agent is stopped with SIGSTOP");

        var second = await server.SubmitAsync("""{"name":"second","jobs":[{"name":"j","type":"slow","parts":["q1"]}]}""");
        (await server.WaitEndAsync(second.Id, 30)).State.ShouldBe("completed", "the paused job's slot was free");
        (await server.StreamAsync(first.Id)).State.ShouldBe("running");

        (await server.PostAsync($"/api/v1/jobs/{first.Jobs["j"]}/resume")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await server.WaitEndAsync(first.Id, 30)).State.ShouldBe("completed");
        (await server.PostAsync($"/api/v1/jobs/{first.Jobs["j"]}/resume")).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        SpanRecord.Read(record).Count.ShouldBe(4);
    }

    [Fact]
    public async Task OutputsFlowForward_OnePartPerItemOfTheDependency()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["unpack"] = SpanRecord.Conf("unpack", record, 1, "0"),
            ["scan"] = SpanRecord.Conf("scan", record, 2, "0"),
        });
        var created = await server.SubmitAsync("""
            {"name":"s","jobs":[
              {"name":"unpack","type":"unpack","parts":["emit:src/a.c,src/b.c,README"]},
              {"name":"scan","type":"scan","generate":{"from":"unpack"}}]}
            """);
        var end = await server.WaitEndAsync(created.Id);
        end.State.ShouldBe("completed");
        end.Jobs.Single(j => j.Name == "scan").Parts.Done.ShouldBe(3);
        SpanRecord.Read(record).Where(s => s.Type == "scan").Select(s => s.Payload).Order().ShouldBe(["README", "src/a.c", "src/b.c"]);
    }

    private static char ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '?';
        }
    }
}
