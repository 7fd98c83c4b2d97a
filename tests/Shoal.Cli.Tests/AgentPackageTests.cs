using System.Diagnostics;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// Shoal.Agent and Shoal.Contracts as NuGet packages: packed into a folder feed, consumed by
/// examples/package-consumer (a project of its own, with a package reference), which then speaks the line protocol.
/// </summary>
[Collection(nameof(BuildsCollection))]
public sealed class AgentPackageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePackedAgentLibrary_BuildsTheExampleAgent_FromTheFeed()
    {
        var work = Directory.CreateTempSubdirectory("shoal-agent-pkg-").FullName;
        var feed = Path.Combine(work, "feed");
        foreach (var project in new[] { "src/Shoal.Contracts", "src/Shoal.Agent" })
        {
            var pack = await RunAsync("dotnet", ShoalProcess.RepoRoot, ["pack", project, "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(work, "artifacts")], null);
            pack.Code.ShouldBe(0, pack.Output);
        }

        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order().ShouldBe(["Shoal.Agent.0.9.0.nupkg", "Shoal.Contracts.0.9.0.nupkg"]);

        // The sample, as it sits under examples/ (its feed is ../../feed from its folder), with its source beside it.
        var examples = Directory.CreateDirectory(Path.Combine(work, "examples")).FullName;
        var consumer = Path.Combine(examples, "package-consumer");
        CopyFolder(Path.Combine(ShoalProcess.RepoRoot, "examples", "package-consumer"), consumer);
        CopyFolder(Path.Combine(ShoalProcess.RepoRoot, "examples", "csharp-agent"), Path.Combine(examples, "csharp-agent"), "Program.cs");
        var build = await RunAsync("dotnet", consumer, ["build", "-c", "Release", "-o", Path.Combine(work, "out"), "-p:RestorePackagesPath=" + Path.Combine(work, "packages")], null);
        build.Code.ShouldBe(0, build.Output);
        File.Exists(Path.Combine(work, "packages", "shoal.agent", "0.9.0", "shoal.agent.0.9.0.nupkg")).ShouldBeTrue("restored from the feed");

        var run = await RunAsync("dotnet", work, [Path.Combine(work, "out", "shoal-example-agent.dll"), "--scheduler_start"], "a.c\nbb.c\nEND\nCLOSE\n");
        run.Code.ShouldBe(0, run.Output);
        run.Output.ShouldStartWith("VERSION: shoal-example-agent 1.0\nOK\n");
        run.Output.ShouldContain("HEART: 2 1");
        run.Output.ShouldContain("BYE 0");
    }

    private static void CopyFolder(string from, string to, string? only = null)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from).Where(f => only is null || Path.GetFileName(f) == only))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string dir, IEnumerable<string> args, string? input)
    {
        var psi = new ProcessStartInfo(program, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(input ?? "");
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync(Ct);
        var stdout = await p.StandardOutput.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        return (p.ExitCode, stdout + await stderr);
    }
}
