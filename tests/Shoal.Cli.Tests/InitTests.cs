using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary><c>shoal init</c>: what it writes parses and runs as written; it never overwrites; an empty agents folder is warned about.</summary>
public sealed partial class InitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Init_WritesAConfigAnAgentAndAStream_ThatRunAsWritten_AndNeverOverwrites()
    {
        var root = Directory.CreateTempSubdirectory("shoal-init-").FullName;
        var dir = Path.Combine(root, "fresh");

        var init = await ShoalProcess.RunAsync(root, "init", "fresh");
        init.Code.ShouldBe(0, init.Stderr);
        init.Stdout.ShouldContain("shoal submit stream.json --wait");
        var conf = Path.Combine(dir, "shoal.conf");
        var written = await File.ReadAllTextAsync(conf, Ct);
        written.ShouldContain("; 0 = any free port");

        // Only the fixed ports change, so that tests running at once do not collide; every other line runs as written.
        await File.WriteAllTextAsync(conf, PortLine().Replace(written, "${key} = 0 "), Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        var run = await ShoalProcess.RunAsync(dir, "submit", "stream.json", "--wait");
        run.Code.ShouldBe(0, run.Stdout + run.Stderr + server.Stderr);
        run.Stdout.ShouldContain("4 of 4 parts done, 0 failed");
        server.Stderr.ShouldNotContain("no agent types");

        var again = await ShoalProcess.RunAsync(root, "init", "fresh");
        again.Code.ShouldBe(1);
        again.Stderr.ShouldContain("already exist");
        again.Stderr.ShouldContain("nothing was written");
        (await File.ReadAllTextAsync(conf, Ct)).ShouldNotBe(written, "the edited file was kept");
    }

    [Fact]
    public async Task TheNextStepsItPrints_RunInAShell_WhateverTheFolderIsCalled()
    {
        var root = Directory.CreateTempSubdirectory("shoal-init-").FullName;
        var init = await ShoalProcess.RunAsync(root, "init", "it's a $dir");
        init.Code.ShouldBe(0, init.Stderr);
        var lines = init.Stdout.Split('\n').Select(l => l.Trim()).ToList();
        var cd = lines.Single(l => l.StartsWith("cd ", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("shoal server --config shoal.conf &", StringComparison.Ordinal), "the server line stands alone: a `cd` before `&` would run in the background's subshell");

        using var sh = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", cd + " && test -f shoal.conf && test -x agents/hello-agent.sh"]) { WorkingDirectory = root })!;
        await sh.WaitForExitAsync(Ct);
        sh.ExitCode.ShouldBe(0, cd);

        var empty = await ShoalProcess.RunAsync(root, "init", "");
        empty.Code.ShouldBe(2);
        empty.Stderr.ShouldContain("DIR must name a folder");
    }

    [Fact]
    public async Task AServerWithoutAgentTypes_SaysSo()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-noagents-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => server.Stderr.Contains("no agent types", StringComparison.Ordinal), 30);
        server.Stderr.ShouldContain($"the agents folder {Path.Combine(dir, "agents")} does not exist");
    }

    [GeneratedRegex(@"^(?<key>port|command_port) = \d+ ", RegexOptions.Multiline)]
    private static partial Regex PortLine();
}
