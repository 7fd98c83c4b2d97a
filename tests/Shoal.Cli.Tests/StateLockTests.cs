using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>One server per state folder: a second one stops at once saying who holds it; a killed holder frees it.</summary>
public sealed class StateLockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASecondServerOnTheSameStateFolder_StopsAtOnce_AndTheFirstKeepsServing()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-lock-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        var urlFile = Path.Combine(dir, ".shoal", "server.url");
        await using var first = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(urlFile), 30);
        var url = await File.ReadAllTextAsync(urlFile, Ct);

        var second = await ShoalProcess.RunAsync(dir, "server", "--config", "shoal.conf");
        second.Code.ShouldBe(1);
        second.Stderr.ShouldContain($"another Shoal server (pid {first.Process.Id}) uses the state folder");
        second.Stderr.ShouldNotContain("   at ");
        (await File.ReadAllTextAsync(urlFile, Ct)).ShouldBe(url, "the second one wrote nothing");
        (await ShoalProcess.RunAsync(dir, "status")).Code.ShouldBe(0, "the first one still answers where server.url says");

        // kill -9: the kernel lets the lock go with the process.
        first.Signal("KILL");
        await first.Process.WaitForExitAsync(Ct);
        File.Delete(urlFile);
        await using var third = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(urlFile), 30);
        (await ShoalProcess.RunAsync(dir, "status")).Code.ShouldBe(0, third.Stderr);
    }
}
