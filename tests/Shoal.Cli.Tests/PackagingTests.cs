using System.Diagnostics;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>The systemd units under <c>packaging/</c> pass <c>systemd-analyze verify</c> without a word (an unknown key or a bad value is only a warning there).</summary>
public sealed class PackagingTests
{
    [Theory]
    [InlineData("shoal.service", "shoal.service")]
    [InlineData("shoal-agent@.service", "shoal-agent@scan-1.service")]
    public async Task TheSystemdUnit_VerifiesCleanly(string unit, string instance)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-unit-").FullName;
        // verify checks that ExecStart's program exists: the unit as shipped, pointed at a stand-in for /usr/local/bin/shoal.
        var shoal = Path.Combine(dir, "shoal");
        await File.WriteAllTextAsync(shoal, "#!/bin/sh\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(shoal, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var text = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "packaging", unit), TestContext.Current.CancellationToken);
        text.ShouldContain("/usr/local/bin/shoal ");
        await File.WriteAllTextAsync(Path.Combine(dir, instance), text.Replace("/usr/local/bin/shoal ", shoal + " ", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var psi = new ProcessStartInfo("systemd-analyze", ["verify", "--man=no", instance])
        {
            WorkingDirectory = dir,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var verify = Process.Start(psi)!;
        var stderr = verify.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = await verify.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await verify.WaitForExitAsync(TestContext.Current.CancellationToken);
        var said = (stdout + await stderr).Trim();
        verify.ExitCode.ShouldBe(0, said);
        said.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("shoal.service")]
    [InlineData("shoal-agent@.service")]
    public async Task TheUnits_GiveTheSingleFileBinaryAWritableFolderToUnpackInto(string unit)
    {
        // Under DynamicUser, HOME is / : the bundle's default extraction folder is not writable there.
        var lines = (await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "packaging", unit), TestContext.Current.CancellationToken)).Split('\n');
        var cache = lines.Single(l => l.StartsWith("CacheDirectory=", StringComparison.Ordinal))["CacheDirectory=".Length..];
        lines.ShouldContain($"Environment=DOTNET_BUNDLE_EXTRACT_BASE_DIR=%C/{cache}");
    }

    [Fact]
    public async Task TheServerUnit_IsTypeNotify_AndSandboxed()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "packaging", "shoal.service"), TestContext.Current.CancellationToken);
        foreach (var line in new[] { "Type=notify", "NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=shoal", "ExecReload=/bin/kill -HUP $MAINPID" })
        {
            text.Split('\n').ShouldContain(line);
        }
    }
}
