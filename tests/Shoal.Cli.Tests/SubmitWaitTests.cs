using System.Text.Json;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary><c>shoal submit --wait</c>: follows the stream to its end and exits by its outcome.</summary>
public sealed class SubmitWaitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubmitWait_ExitsZeroWhenEveryPartWasDone_AndOneWhenAPartFailed_SayingHowItEnded()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-wait-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "check.conf"), "[default]\nkind = pull\nretries = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "ok.json"), """{"name":"fine","jobs":[{"name":"check","type":"check","parts":["a","b"]}]}""", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "bad.json"), """{"name":"broken","jobs":[{"name":"check","type":"check","parts":["a","bad"]}]}""", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        var url = (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "server.url"), Ct)).Trim();
        var token = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "checker");
        await File.WriteAllTextAsync(Path.Combine(dir, "agent.token"), token.Stdout.Trim(), Ct);
        await using var agent = ShoalProcess.Start(dir, null, "agent", "--server", url, "--token-file", "agent.token", "--types", "check", "--wait", "1",
            "--run", "sh -c 'test $0 != bad' {payload}");

        var ok = await ShoalProcess.RunAsync(dir, "submit", "ok.json", "--wait");
        ok.Code.ShouldBe(0, ok.Stderr);
        ok.Stderr.ShouldMatch(@"submitted stream \d+: check=\d+");
        ok.Stdout.ShouldMatch(@"^stream \d+ completed after \d+\.\d s: 2 of 2 parts done, 0 failed\s*$");

        var bad = await ShoalProcess.RunAsync(dir, "submit", "bad.json", "--wait", "--json");
        bad.Code.ShouldBe(1, bad.Stderr);
        using var json = JsonDocument.Parse(bad.Stdout);
        json.RootElement.GetProperty("state").GetString().ShouldBeOneOf("completed", "failed");
        json.RootElement.GetProperty("jobs")[0].GetProperty("parts").GetProperty("failed").GetInt32().ShouldBe(1);

        // status --watch follows a stream the same way (here one that has ended already).
        var watched = await ShoalProcess.RunAsync(dir, "status", json.RootElement.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), "--watch");
        watched.Code.ShouldBe(1, watched.Stderr);
        watched.Stdout.ShouldContain("1 of 2 parts done, 1 failed");
        (await ShoalProcess.RunAsync(dir, "status", "--watch")).Code.ShouldBe(2);

        // The stream list carries each stream's totals: all parts, done, failed.
        var list = await ShoalProcess.RunAsync(dir, "status", "--json");
        using var listed = JsonDocument.Parse(list.Stdout);
        var totals = listed.RootElement.EnumerateArray().ToDictionary(
            e => e.GetProperty("name").GetString()!, e => (e.GetProperty("parts").GetInt64(), e.GetProperty("done").GetInt64(), e.GetProperty("failed").GetInt64()));
        totals["fine"].ShouldBe((2L, 2L, 0L));
        totals["broken"].ShouldBe((2L, 1L, 1L));
    }

    [Fact]
    public async Task SubmitCheck_SaysWhatWouldBeCreated_OrWhyItWouldBeRefused_AndSubmitsNothing()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-check-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "scan.conf"), "[default]\nkind = pull\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "ok.json"),
            """{"name":"nightly","priority":3,"jobs":[{"name":"net","type":"scan","generate":{"range":"10.0.0.0/24","chunk":64}},{"name":"report","type":"scan","parts":["r"],"depends_on":["net"]}]}""", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "bad.json"), """{"name":"typo","jobs":[{"name":"a","type":"scna","parts":["x"]}]}""", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);

        var ok = await ShoalProcess.RunAsync(dir, "submit", "ok.json", "--check");
        ok.Code.ShouldBe(0, ok.Stderr);
        ok.Stdout.ShouldContain("stream nightly is valid (priority 3); nothing was submitted:");
        ok.Stdout.ShouldContain("job net (scan): parts generated: range 10.0.0.0/24 by 64");
        ok.Stdout.ShouldContain("job report (scan): 1 part(s), after net");

        var bad = await ShoalProcess.RunAsync(dir, "submit", "bad.json", "--check");
        bad.Code.ShouldBe(1);
        bad.Stderr.ShouldContain("unknown agent type 'scna'");
        bad.Stderr.ShouldNotContain("   at ");

        var list = await ShoalProcess.RunAsync(dir, "status", "--json");
        list.Code.ShouldBe(0, list.Stderr);
        JsonDocument.Parse(list.Stdout).RootElement.GetArrayLength().ShouldBe(0, "a check stores nothing");
    }

    [Fact]
    public void TheProgressLine_SaysDonePercentRateAndTimeLeft()
    {
        var parts = new Shoal.Contracts.PartCountsDto(Ready: 2_700, Leased: 100, Done: 1_150, Failed: 50);
        var stream = new Shoal.Contracts.StreamDto(7, "big", "ops", 0, "running", null, DateTimeOffset.UnixEpoch, null,
            [new Shoal.Contracts.JobDto(1, "scan", "scan", "running", parts, null, [], null, null)]);
        Commands.StreamWait.Progress(stream, TimeSpan.FromSeconds(10)).ShouldBe("running: 1,200/4,000 parts (30%), 50 failed, 120/s, about 23 s left");
    }
}
