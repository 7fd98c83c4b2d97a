using System.Text.Json;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary><c>shoal failed</c> and <c>shoal requeue</c> against a real server and a real <c>shoal agent</c> whose command fails.</summary>
public sealed class FailedCliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Failed_ListsThePayloadTriesAndWhatTheCollectorSaid_RequeueRunsItAgain()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-failed-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "probe.conf"), "[default]\nkind = pull\nlease = 5\nretries = 1\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), """{"name":"probe","jobs":[{"name":"ping","type":"probe","parts":["10.0.0.7","10.0.0.8"]}]}""", Ct);
        var ok = Path.Combine(dir, "ok-now");
        var (server, url) = await StartServerAndSubmitAsync(dir);
        await using var _ = server;

        // 10.0.0.7 is refused until the file ok-now exists; 10.0.0.8 answers.
        await using var agent = ShoalProcess.Start(dir, null,
            "agent", "--server", url, "--token-file", "agent.token", "--types", "probe", "--wait", "1",
            "--run", $"sh -c 'test $0 = 10.0.0.8 || test -e {ok} || {{ echo connecting; echo Connection refused by $0 >&2; exit 7; }}' {{payload}}");
        var done = await Poll.UntilAsync(() => ShoalProcess.RunAsync(dir, "status", "1", "--json"), r => r.Stdout.Contains("\"completed\"", StringComparison.Ordinal), 60);

        var listed = await ShoalProcess.RunAsync(dir, "failed", "1");
        listed.Code.ShouldBe(0, listed.Stderr);
        var lines = listed.Stdout.Trim().Split('\n');
        lines[0].ShouldBe("job\tname\tpart\tpayload\tattempts\thost\tlast said", "piped: a header, then tab-separated rows");
        lines.Length.ShouldBe(2, listed.Stdout);
        lines[1].ShouldContain("\tping\t");
        lines[1].ShouldContain("\t10.0.0.7\t2\t");
        lines[1].ShouldEndWith("\tConnection refused by 10.0.0.7");
        using (var doc = JsonDocument.Parse(done.Stdout))
        {
            var job = doc.RootElement.GetProperty("jobs")[0].GetProperty("id").GetInt64();
            var json = await ShoalProcess.RunAsync(dir, "failed", job.ToString(System.Globalization.CultureInfo.InvariantCulture), "--job", "--json");
            using var parts = JsonDocument.Parse(json.Stdout);
            parts.RootElement.GetArrayLength().ShouldBe(1);
            parts.RootElement[0].GetProperty("payload").GetString().ShouldBe("10.0.0.7");
            parts.RootElement[0].GetProperty("log").GetString()!.ShouldContain("Connection refused by 10.0.0.7");
        }

        (await ShoalProcess.RunAsync(dir, "failed", "99", "--job")).Stderr.ShouldContain("no job 99");
        var zero = await ShoalProcess.RunAsync(dir, "failed", "1", "--limit", "0");
        zero.Code.ShouldBe(2);
        zero.Stderr.ShouldContain("--limit must be from 1 to 1000, got 0");

        // The cause is fixed; the requeue runs the part again and the stream completes with nothing failed.
        await File.WriteAllTextAsync(ok, "", Ct);
        var requeue = await ShoalProcess.RunAsync(dir, "requeue", "1");
        requeue.Code.ShouldBe(0, requeue.Stderr);
        requeue.Stdout.ShouldContain("stream 1: queued");
        await Poll.UntilAsync(() => ShoalProcess.RunAsync(dir, "failed", "1"), r => r.Stdout.Contains("stream 1: no failed parts", StringComparison.Ordinal), 60);
        (await ShoalProcess.RunAsync(dir, "status", "1", "--json")).Stdout.ShouldContain("\"completed\"");
    }

    [Fact]
    public async Task HostileText_FromPayloadsAndAgents_CannotDriveTheTerminal_OrBreakTheTabSeparatedLines()
    {
        Shoal.Cli.Output.Render.Safe("bad\u001b]0;pwned\u0007\u001b[2J\tTAB\r\nX\u202eY").ShouldBe("bad\\x1b]0;pwned\\x07\\x1b[2J\\tTAB\\r\\nX\\u202eY");
        Shoal.Cli.Output.Render.Safe("plain text, ünïcode").ShouldBe("plain text, ünïcode");

        var dir = Directory.CreateTempSubdirectory("shoal-hostile-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "probe.conf"), "[default]\nkind = pull\nlease = 5\nretries = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), """{"name":"evil","jobs":[{"name":"ping","type":"probe","parts":["bad\u001b]0;pwned\u0007\tTAB"]}]}""", Ct);
        var (server, url) = await StartServerAndSubmitAsync(dir);
        await using var _ = server;
        // A collector (any agent token's holder) that writes escape sequences and tabs to stderr.
        var collector = Path.Combine(dir, "collect.sh");
        await File.WriteAllTextAsync(collector, "#!/bin/sh\nprintf '\\033[2Jcleared\\007\\tand\\ttabs\\n' >&2\nexit 3\n", Ct);
        File.SetUnixFileMode(collector, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var agent = ShoalProcess.Start(dir, null,
            "agent", "--server", url, "--token-file", "agent.token", "--types", "probe", "--wait", "1", "--shell", "--run", collector);
        var listed = await Poll.UntilAsync(() => ShoalProcess.RunAsync(dir, "failed", "1"), r => r.Stdout.StartsWith("job\t", StringComparison.Ordinal), 60);

        listed.Stdout.ShouldNotContain("\u001b");
        listed.Stdout.ShouldNotContain("\u0007");
        listed.Stdout.Trim().Split('\n').Length.ShouldBe(2, listed.Stdout);
        var row = listed.Stdout.Trim().Split('\n')[1];
        row.Split('\t').Length.ShouldBe(7, "one field each, whatever the text held: " + row);
        row.ShouldContain("bad\\x1b]0;pwned\\x07\\tTAB");
        row.ShouldEndWith("\\x1b[2Jcleared\\x07\\tand\\ttabs");
        (await ShoalProcess.RunAsync(dir, "status", "1")).Stdout.ShouldNotContain("\u001b");

        // A pull job's log is empty (its agent's output came with the report): said, with where to look, not left blank.
        var logs = await ShoalProcess.RunAsync(dir, "logs", "1");
        logs.Code.ShouldBe(0, logs.Stderr);
        logs.Stdout.ShouldBeEmpty();
        logs.Stderr.Trim().ShouldBe("shoal: job 1 has no agent output in its log (a pull agent's output comes with its report: shoal failed 1 --job shows its failed parts)");
    }

    /// <summary>A server on <paramref name="dir"/>, the agent token <c>prober</c> in <c>agent.token</c>, and <c>s.json</c> submitted.</summary>
    private static async Task<(ShoalProcess Server, string Url)> StartServerAndSubmitAsync(string dir)
    {
        var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        var url = (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "server.url"), Ct)).Trim();
        var token = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "prober");
        await File.WriteAllTextAsync(Path.Combine(dir, "agent.token"), token.Stdout.Trim(), Ct);
        (await ShoalProcess.RunAsync(dir, "submit", "s.json")).Code.ShouldBe(0);
        return (server, url);
    }
}
