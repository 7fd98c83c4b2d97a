using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// docs/getting-started.md is a newcomer's transcript — init, server, submit --wait, status, why, a failure, a
/// requeue, a sweep — and this test runs it as pasted, checking every line the doc shows, so the doc cannot drift
/// from what the commands print.
/// </summary>
public sealed partial class GettingStartedTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheTranscript_IsWhatTheCommandsPrint()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "docs", "getting-started.md"), Ct);
        var steps = DocWalkthrough.Steps(doc);
        var verbs = steps.Where(s => s.Command.StartsWith("shoal ", StringComparison.Ordinal)).Select(s => s.Command.Split(' ')[1]).ToHashSet();
        foreach (var verb in new[] { "init", "server", "submit", "status", "why", "failed", "requeue", "sweep", "results" })
        {
            verbs.ShouldContain(verb, "the walk-through covers what a newcomer needs");
        }

        var root = Directory.CreateTempSubdirectory("shoal-getting-started-").FullName;
        await using var walk = new DocWalkthrough(root);
        await walk.RunAsync(steps, async command =>
        {
            if (command.StartsWith("shoal init ", StringComparison.Ordinal))
            {
                // The one change the test makes: any free ports instead of init's fixed ones, so that tests running
                // at once do not collide. The CLI finds the server through .shoal/server.url either way.
                var conf = Path.Combine(walk.Dir, command["shoal init ".Length..].Trim(), "shoal.conf");
                await File.WriteAllTextAsync(conf, PortLine().Replace(await File.ReadAllTextAsync(conf, Ct), "${key} = 0 "), Ct);
            }
        });
    }

    [GeneratedRegex(@"^(?<key>port|command_port) = \d+ ", RegexOptions.Multiline)]
    private static partial Regex PortLine();
}
