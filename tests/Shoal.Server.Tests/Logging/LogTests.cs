using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shoal.Server.Logging;
using Shouldly;

namespace Shoal.Server.Tests.Logging;

/// <summary>The scheduler log in FOSSology's format, each job's agent output in its own file, rotation by size.</summary>
public sealed partial class LogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AJobLogReadInPieces_GivesItsBytesExactly_NeverMoreThanAsked_AndRefusesANegativeOffset()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["held"] = TestServer.NoopConf(0) });
        var job = (await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"held","parts":["x"]}]}""")).Jobs["a"];
        var path = server.App.Services.GetRequiredService<JobLogs>().PathOf(job);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var written = System.Text.Encoding.UTF8.GetBytes("Ärger: ÄÖÜ é → ✓\n");
        await File.WriteAllBytesAsync(path, written, Ct);

        // One byte at a time, as a client following the log with X-Log-Offset: every character split, none lost.
        var got = new List<byte>();
        var offset = 0L;
        while (offset < written.Length)
        {
            var page = await server.Http.GetAsync($"/api/v1/jobs/{job}/log?offset={offset}&limit=1", Ct);
            var bytes = await page.Content.ReadAsByteArrayAsync(Ct);
            bytes.Length.ShouldBe(1, "never more than asked");
            got.AddRange(bytes);
            offset = long.Parse(page.Headers.GetValues("X-Log-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture);
            page.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff", "an agent's output is never sniffed into HTML");
        }

        got.ShouldBe(written);
        (await (await server.Http.GetAsync($"/api/v1/jobs/{job}/log?tail=4", Ct)).Content.ReadAsByteArrayAsync(Ct)).ShouldBe(written[^4..]);
        var negative = await server.Http.GetAsync($"/api/v1/jobs/{job}/log?offset=-5", Ct);
        negative.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await negative.Content.ReadAsStringAsync(Ct)).ShouldContain("'offset' must be a byte offset >= 0");
    }

    [Fact]
    public async Task AJobsAgentOutput_GoesToItsLog_AndTheSchedulerLogUsesFossologysFormat()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["chatty"] = $"[default]\ncommand = {TestServer.TestAgent("chatty")}\nmax = 1\n" });
        var created = await server.SubmitAsync("""{"name":"talk","jobs":[{"name":"a","type":"chatty","parts":["p1","p2"]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");
        var job = created.Jobs["a"];
        var log = await Poll.UntilAsync(() => server.Http.GetStringAsync($"/api/v1/jobs/{job}/log", Ct), t => t.Contains("p2 looks odd", StringComparison.Ordinal), 10);
        log.ShouldMatch(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d chatty \[\d+\] :: scanning p1");
        log.ShouldContain("warning: p1 looks odd");
        var response = await server.Http.GetAsync($"/api/v1/jobs/{job}/log?offset=999999", Ct);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBeEmpty();
        response.Headers.GetValues("X-Log-Offset").Single().ShouldNotBe("999999");
        (await server.Http.GetAsync("/api/v1/jobs/424242/log", Ct)).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);

        var schedulerLog = await File.ReadAllLinesAsync(Path.Combine(server.Dir, ".shoal", "logs", "shoal.log"), Ct);
        schedulerLog.ShouldContain(l => SchedulerLine().IsMatch(l) && l.Contains(":: NOTE: started agent chatty", StringComparison.Ordinal));
    }

    [Fact]
    public void RotatingFile_RotatesBySize_AndKeepsTheNewestFiles()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("shoal-rot-").FullName, "x.log");
        var file = new RotatingFile(path, maxBytes: 100, keep: 2);
        for (var i = 0; i < 20; i++)
        {
            file.Append($"line {i:00} {new string('x', 20)}");
        }

        File.Exists(path + ".1").ShouldBeTrue();
        File.Exists(path + ".2").ShouldBeTrue();
        File.Exists(path + ".3").ShouldBeFalse();
        File.ReadAllText(path).ShouldContain("line 19");
        new FileInfo(path).Length.ShouldBeLessThanOrEqualTo(100);
    }

    [Fact]
    public void RotatingFile_ThatCannotWrite_CountsTheLostLines_AndWritesAgainWhenItCan()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-rot-").FullName;
        var blocker = Path.Combine(dir, "logs");
        File.WriteAllText(blocker, "a file where the log folder should be");
        var file = new RotatingFile(Path.Combine(blocker, "shoal.log"));

        file.Append("lost 1");
        file.Append("lost 2");
        file.Dropped.ShouldBe(2);

        File.Delete(blocker);
        file.Append("kept");
        file.Dropped.ShouldBe(0);
        File.ReadAllText(Path.Combine(blocker, "shoal.log")).ShouldBe("kept\n");
    }

    [Theory]
    [InlineData(0, "Shoal.Server.Spawned.Dispatcher", LogLevel.Error, true)]
    [InlineData(0, "Shoal.Server.Spawned.Dispatcher", LogLevel.Information, false)]
    [InlineData(1, "Shoal.Server.Spawned.Dispatcher", LogLevel.Information, true)]
    [InlineData(1, "Shoal.Server.Spawned.Dispatcher", LogLevel.Warning, false)]
    [InlineData(2, "Shoal.Server.Spawned.Dispatcher", LogLevel.Warning, true)]
    [InlineData(2, "Shoal.Server.Spawned.Dispatcher", LogLevel.Debug, false)]
    [InlineData(7, "Shoal.Storage.Sqlite.SqliteStore", LogLevel.Debug, true)]
    [InlineData(1 << 8, "Shoal.Storage.Sqlite.SqliteStore", LogLevel.Debug, true)]
    [InlineData(1 << 8, "Shoal.Server.Spawned.Dispatcher", LogLevel.Debug, false)]
    [InlineData(1 << 5, "Shoal.Server.Spawned.Dispatcher", LogLevel.Debug, true)]
    [InlineData(1 << 4, "Shoal.Server.Spawned.AgentLauncher", LogLevel.Debug, true)]
    [InlineData(1 << 10, "Shoal.Server.Api.StreamEndpoints", LogLevel.Debug, true)]
    public void Verbosity_LevelsAndTheComponentMask(int verbose, string category, LogLevel level, bool written) =>
        SchedulerLogProvider.Enabled(level, SchedulerLogProvider.ComponentBit(category), verbose).ShouldBe(written);

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d scheduler \[\d+\] :: ")]
    private static partial Regex SchedulerLine();
}
