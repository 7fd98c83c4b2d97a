using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary><c>shoal token create --output FILE</c>: the secret only in a file of its owner's, and no file when no token was made.</summary>
public sealed class TokenOutputTests
{
    [Fact]
    public async Task WithNoServer_NoFileIsMade_WhereAShellsRedirectLeftAnEmptyOne()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-token-out-").FullName;
        var admin = Path.Combine(Directory.CreateTempSubdirectory("shoal-token-admin-").FullName, "admin.token");
        await File.WriteAllTextAsync(admin, "shoal_" + new string('0', 64), TestContext.Current.CancellationToken);
        var run = await ShoalProcess.RunAsync(dir, "token", "create", "--agent", "a", "--server", "http://127.0.0.1:1", "--token-file", admin, "--output", "a.token");
        run.Code.ShouldBe(3, run.Stderr);
        File.Exists(Path.Combine(dir, "a.token")).ShouldBeFalse();
        Directory.GetFiles(dir).ShouldBeEmpty("no temporary file is left either");
    }
}
