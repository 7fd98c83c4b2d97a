using System.Diagnostics;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>docs/install.md's single-file binary: published as the doc says, it is one file that runs the quickstart.</summary>
[Collection(nameof(BuildsCollection))]
public sealed class SingleFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheSingleFileBinary_RunsTheQuickstart()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "docs", "install.md"), Ct);
        const string Publish = "dotnet publish src/Shoal.Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -p:DebugType=none -o out";
        doc.ShouldContain(Publish);
        var work = Directory.CreateTempSubdirectory("shoal-single-").FullName;
        var output = Path.Combine(work, "out");

        // The doc's command, with the build's own files kept out of the checkout (the suite's build is running from it).
        var args = Publish["dotnet ".Length..].Replace("-o out", $"-o {output}", StringComparison.Ordinal).Split(' ')
            .Concat(["--artifacts-path", Path.Combine(work, "artifacts")]);
        var publish = await RunAsync("dotnet", ShoalProcess.RepoRoot, args);
        publish.Code.ShouldBe(0, publish.Output);
        Directory.GetFiles(output).Select(Path.GetFileName).ShouldBe(["shoal"], "one file");

        // Run away from any checkout: the quickstart's pipeline comes from inside the binary.
        var run = Directory.CreateDirectory(Path.Combine(work, "run")).FullName;
        var quickstart = await RunAsync(Path.Combine(output, "shoal"), run, ["quickstart"]);
        quickstart.Code.ShouldBe(0, quickstart.Output);
        quickstart.Output.ShouldMatch(@"report\s+report\s+completed");
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string dir, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(Ct);
        var stdout = await p.StandardOutput.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        return (p.ExitCode, stdout + await stderr);
    }
}
