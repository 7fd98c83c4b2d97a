using System.Diagnostics;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// docs/install.md's .NET tool: <c>dotnet pack</c> into a folder feed, <c>dotnet tool install</c> from it into a tool
/// path, and the installed <c>shoal quickstart</c> runs the example pipeline from the package alone.
/// </summary>
[Collection(nameof(BuildsCollection))]
public sealed class ToolPackageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePackedTool_InstallsFromAFolderFeed_AndRunsTheQuickstart()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "docs", "install.md"), Ct);
        doc.ShouldContain("dotnet pack src/Shoal.Cli -c Release -o feed");
        doc.ShouldContain("dotnet tool install --global shoal --add-source feed");
        var work = Directory.CreateTempSubdirectory("shoal-tool-").FullName;
        var feed = Path.Combine(work, "feed");

        // The build's own files are kept out of the checkout (the suite's build runs from it).
        var pack = await RunAsync("dotnet", ShoalProcess.RepoRoot, ["pack", "src/Shoal.Cli", "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(work, "artifacts")]);
        pack.Code.ShouldBe(0, pack.Output);
        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).ShouldBe(["shoal.0.9.0.nupkg"]);

        // A tool path rather than --global, so that the test leaves the machine as it was.
        var tools = Path.Combine(work, "tools");
        // Its own package cache: a package of the same version packed earlier must not stand in for this one.
        var install = await RunAsync("dotnet", work, ["tool", "install", "shoal", "--tool-path", tools, "--add-source", feed], ("NUGET_PACKAGES", Path.Combine(work, "packages")));
        install.Code.ShouldBe(0, install.Output);

        // Away from any checkout: the quickstart's pipeline comes from the package.
        var run = Directory.CreateDirectory(Path.Combine(work, "run")).FullName;
        var quickstart = await RunAsync(Path.Combine(tools, "shoal"), run, ["quickstart"]);
        quickstart.Code.ShouldBe(0, quickstart.Output);
        quickstart.Output.ShouldMatch(@"report\s+report\s+completed");
        (await RunAsync(Path.Combine(tools, "shoal"), run, ["--version"])).Output.ShouldStartWith("0.9.0");
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string dir, IEnumerable<string> args, (string Name, string Value)? env = null)
    {
        var psi = new ProcessStartInfo(program, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        if (env is { } e)
        {
            psi.Environment[e.Name] = e.Value;
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(Ct);
        var stdout = await p.StandardOutput.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        return (p.ExitCode, stdout + await stderr);
    }
}
