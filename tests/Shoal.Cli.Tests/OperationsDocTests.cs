using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// docs/operations.md is run: its setup, then every <c>console</c> block's <c>$ </c> lines in order, each checked
/// against the lines the doc shows (<c>…</c> matches anything). A command that shows a state is run again until it
/// prints it (the work behind it is asynchronous), within a deadline.
/// </summary>
public sealed partial class OperationsDocTests
{
    private static readonly string[] ReadOnly = ["status", "failed", "agents", "why"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheWalkThrough_PrintsWhatTheDocShows()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "docs", "operations.md"), Ct);
        var steps = Steps(doc);
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
        var token = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "prober");
        await File.WriteAllTextAsync(Path.Combine(dir, "agent.token"), token.Stdout.Trim(), Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "probe.json"), Between(doc, "echo '", "' > probe.json"), Ct);
        await using var agent = ShoalProcess.Start(dir, null,
            "agent", "--server", url, "--token-file", "agent.token", "--types", "probe", "--wait", "1",
            "--run", "sh -c 'test $0 = 10.0.0.8 || test -e ok-now || { echo Connection refused by $0 >&2; exit 7; }' {payload}");

        foreach (var (command, expected) in steps)
        {
            if (!command.StartsWith("shoal ", StringComparison.Ordinal))
            {
                // The doc's shell steps: a file written or touched.
                var shell = await RunShellAsync(dir, command);
                shell.ShouldBe(0, command);
                continue;
            }

            var args = Words(command["shoal ".Length..]);
            var output = (await ShoalProcess.RunAsync(dir, args)).Stdout;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (ReadOnly.Contains(args[0]) && !expected.All(line => output.Split('\n').Any(o => Matches(o, line))) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
                output = (await ShoalProcess.RunAsync(dir, args)).Stdout;
            }

            foreach (var line in expected)
            {
                output.Split('\n').ShouldContain(o => Matches(o, line), $"`{command}` printed:\n{output}\nwithout the doc's line:\n{line}");
            }
        }
    }

    /// <summary>The <c>$ </c> lines of every console block, each with the lines shown under it.</summary>
    private static List<(string Command, List<string> Expected)> Steps(string doc)
    {
        var steps = new List<(string, List<string>)>();
        foreach (Match block in ConsoleBlock().Matches(doc))
        {
            foreach (var line in block.Groups[1].Value.Split('\n').Where(l => l.Length > 0))
            {
                if (line.StartsWith("$ ", StringComparison.Ordinal))
                {
                    steps.Add((line[2..], []));
                }
                else
                {
                    steps[^1].Item2.Add(line);
                }
            }
        }

        return steps;
    }

    /// <summary>A doc line matches an output line when its pieces between <c>…</c> appear in it in order (whole line without one).</summary>
    private static bool Matches(string output, string doc)
    {
        if (!doc.Contains('…', StringComparison.Ordinal))
        {
            return output == doc;
        }

        var at = 0;
        foreach (var piece in doc.Split('…'))
        {
            var i = output.IndexOf(piece, at, StringComparison.Ordinal);
            if (i < 0 || (at == 0 && piece.Length > 0 && i != 0))
            {
                return false;
            }

            at = i + piece.Length;
        }

        return true;
    }

    private static string[] Words(string command) =>
        SingleQuotedOrWord().Matches(command).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value).ToArray();

    private static string Between(string text, string start, string end)
    {
        var e = text.IndexOf(end, StringComparison.Ordinal);
        var s = text.LastIndexOf(start, e, StringComparison.Ordinal) + start.Length;
        return text[s..e];
    }

    private static async Task<int> RunShellAsync(string dir, string command)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", command]) { WorkingDirectory = dir })!;
        await p.WaitForExitAsync(Ct);
        return p.ExitCode;
    }

    [GeneratedRegex("```console\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ConsoleBlock();

    [GeneratedRegex("'([^']*)'|\\S+")]
    private static partial Regex SingleQuotedOrWord();
}
