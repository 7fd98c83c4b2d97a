using System.Diagnostics;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>The build does not depend on where the clone sits: a clone under <c>~/src/shoal</c> is still only <c>src/</c> for its product code.</summary>
public sealed class BuildLayoutTests
{
    [Theory]
    [InlineData("bench/Shoal.Bench/Shoal.Bench.csproj", "false")]
    [InlineData("tests/Shoal.Cli.Tests/Shoal.Cli.Tests.csproj", "false")]
    [InlineData("src/Shoal.Core/Shoal.Core.csproj", "true")]
    public async Task TheBannedApiAnalyzer_CoversOnlyTheRepositorysSrc_EvenInACloneUnderASrcFolder(string project, string product)
    {
        var parent = Path.Combine(Directory.CreateTempSubdirectory("shoal-layout-").FullName, "home", "src");
        Directory.CreateDirectory(parent);
        var clone = Path.Combine(parent, "shoal");
        File.CreateSymbolicLink(clone, ShoalProcess.RepoRoot);

        var psi = new ProcessStartInfo("dotnet", ["msbuild", Path.Combine(clone, project), "-getProperty:ShoalProduct"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var msbuild = Process.Start(psi)!;
        var stdout = await msbuild.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await msbuild.WaitForExitAsync(TestContext.Current.CancellationToken);
        msbuild.ExitCode.ShouldBe(0, stdout + await msbuild.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        stdout.Trim().ShouldBe(product);
    }
}
