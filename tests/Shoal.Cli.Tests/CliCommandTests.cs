using System.Text.Json;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>The <c>shoal</c> commands, run as real processes against a real server process.</summary>
public sealed class CliCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Quickstart_RunsTheExamplePipelineToCompletion_AndExitsZero()
    {
        var (code, stdout, stderr) = await ShoalProcess.RunAsync(ShoalProcess.RepoRoot, "quickstart");
        code.ShouldBe(0, stderr);
        stdout.ShouldContain("quickstart-upload: completed");
        stdout.ShouldContain("licenses\tnomos\tcompleted\t200\t0");
        stdout.ShouldContain("report\treport\tcompleted\t1\t0");
        stderr.ShouldContain("progress:");
    }

    [Fact]
    public async Task Commands_SubmitStatusWhyPauseResumeCancel_AgainstARunningServer()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-cli-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "held.conf"), "[default]\ncommand = /bin/true\nmax = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), """{"name":"cli","jobs":[{"name":"a","type":"held"},{"name":"b","type":"held","depends_on":["a"]}]}""", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);

        var submit = await ShoalProcess.RunAsync(dir, "submit", "s.json", "--json");
        submit.Code.ShouldBe(0, submit.Stderr);
        using var created = JsonDocument.Parse(submit.Stdout);
        var id = created.RootElement.GetProperty("id").GetInt64();
        var jobB = created.RootElement.GetProperty("jobs").GetProperty("b").GetInt64();

        var list = await ShoalProcess.RunAsync(dir, "status");
        list.Stdout.Split('\n')[0].ShouldBe("id\tstate\tdone\tparts\tfailed\tpriority\tname\towner\tcreated\tstuck", "piped, a header names the columns, always the same");
        list.Stdout.ShouldContain($"{id}\tqueued\t0\t2\t0\t0\tcli\t");
        var why = await ShoalProcess.RunAsync(dir, "why", jobB.ToString(System.Globalization.CultureInfo.InvariantCulture));
        why.Stdout.ShouldContain("waiting for dependency a (ready)");
        var jobA = created.RootElement.GetProperty("jobs").GetProperty("a").GetInt64();
        (await ShoalProcess.RunAsync(dir, "pause", $"{jobA}", "--job")).Stdout.ShouldContain($"job {jobA}: paused");
        (await ShoalProcess.RunAsync(dir, "resume", $"{jobA}", "--job")).Stdout.ShouldContain($"job {jobA}: ready");
        var agents = await ShoalProcess.RunAsync(dir, "agents");
        agents.Code.ShouldBe(0, agents.Stderr);
        agents.Stdout.ShouldContain("type\tkind\tmax\tstate\thosts not valid\n", Case.Sensitive, "piped, each section's columns are named");
        agents.Stdout.ShouldContain("held\tspawned\t0\t");
        agents.Stdout.ShouldContain("localhost\tlocalhost\t0/");
        (await ShoalProcess.RunAsync(dir, "pause", $"{id}")).Stdout.ShouldContain($"stream {id}: paused");
        (await ShoalProcess.RunAsync(dir, "resume", $"{id}")).Stdout.ShouldContain($"stream {id}: queued");
        (await ShoalProcess.RunAsync(dir, "cancel", $"{id}")).Stdout.ShouldContain($"stream {id}: cancelled");
        var requeue = await ShoalProcess.RunAsync(dir, "requeue", $"{id}");
        requeue.Code.ShouldBe(1, "an operator's cancel stands: nothing to requeue");
        requeue.Stderr.ShouldContain($"stream {id} is cancelled: a cancelled job or stream is not requeued (an operator's cancel stands");
        (await ShoalProcess.RunAsync(dir, "requeue", "9999", "--job")).Stderr.ShouldContain("no job 9999");
        var one = await ShoalProcess.RunAsync(dir, "status", $"{id}", "--json");
        using (var doc = JsonDocument.Parse(one.Stdout))
        {
            doc.RootElement.GetProperty("state").GetString().ShouldBe("cancelled");
            doc.RootElement.GetProperty("jobs").GetArrayLength().ShouldBe(2);
        }

        var missing = await ShoalProcess.RunAsync(dir, "status", "9999");
        missing.Code.ShouldBe(1);
        missing.Stderr.ShouldContain("404");
        var noFile = await ShoalProcess.RunAsync(dir, "submit", "nope.json");
        noFile.Code.ShouldBe(2);
        noFile.Stderr.ShouldContain("cannot read nope.json");
        var badJson = await ShoalProcess.RunAsync(dir, "submit", "shoal.conf");
        badJson.Code.ShouldBe(1);
        badJson.Stderr.ShouldContain("400 bad request: malformed JSON");
    }

    [Fact]
    public async Task Commands_WithoutAServer_SayHowToFindOne()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-cli-none-").FullName;
        var result = await ShoalProcess.RunAsync(dir, "status");
        result.Code.ShouldBe(2);
        result.Stderr.ShouldContain("is the server running here, or pass --server URL");
    }

    [Fact]
    public async Task Help_ListsTheCommands()
    {
        var result = await ShoalProcess.RunAsync(ShoalProcess.RepoRoot, "--help");
        result.Code.ShouldBe(0);
        foreach (var command in new[] { "server", "submit", "status", "pause", "resume", "cancel", "requeue", "why", "agents", "quickstart" })
        {
            result.Stdout.ShouldContain(command);
        }
    }
}
