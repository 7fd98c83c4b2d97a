using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// docs/operations.md is run: its setup, then every <c>console</c> block's <c>$ </c> lines in order, each checked
/// against the lines the doc shows (<c>…</c> matches anything). A command that shows a state is run again until it
/// prints it (the work behind it is asynchronous), within a deadline.
/// </summary>
public sealed class OperationsDocTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheWalkThrough_PrintsWhatTheDocShows()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "docs", "operations.md"), Ct);
        var steps = DocWalkthrough.Steps(doc);
        steps.Count.ShouldBeGreaterThan(8);

        // The setup block, as the doc writes it (the two background processes started here).
        var dir = Directory.CreateTempSubdirectory("shoal-ops-doc-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\nstuck_seconds = 3\n", Ct);
        doc.ShouldContain(@"printf '[SCHEDULER]\nport = 0\nstuck_seconds = 3\n' > shoal.conf", Case.Sensitive, "the server's setup is the doc's");
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "probe.conf"), "[default]\nkind = pull\nlease = 5\nretries = 1\n", Ct);
        doc.ShouldContain(@"printf '[default]\nkind = pull\nlease = 5\nretries = 1\n' > agents/probe.conf", Case.Sensitive, "the setup the test makes is the doc's");
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        var url = (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "server.url"), Ct)).Trim();
        doc.ShouldContain("shoal token create --agent prober --output agent.token", Case.Sensitive, "the token file the test makes is the doc's");
        var token = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "prober", "--output", "agent.token");
        token.Code.ShouldBe(0, token.Stderr);
        token.Stdout.ShouldBeEmpty("the secret goes to the file only");
        File.GetUnixFileMode(Path.Combine(dir, "agent.token")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(Path.Combine(dir, "probe.json"), Between(doc, "echo '", "' > probe.json"), Ct);
        await using var agent = ShoalProcess.Start(dir, null,
            "agent", "--server", url, "--token-file", "agent.token", "--types", "probe", "--wait", "1",
            "--run", "sh -c 'test $0 = 10.0.0.8 || test -e ok-now || { echo Connection refused by $0 >&2; exit 7; }' {payload}");

        await using var walk = new DocWalkthrough(dir);
        await walk.RunAsync(steps);
    }

    private static string Between(string text, string start, string end)
    {
        var e = text.IndexOf(end, StringComparison.Ordinal);
        var s = text.LastIndexOf(start, e, StringComparison.Ordinal) + start.Length;
        return text[s..e];
    }
}
