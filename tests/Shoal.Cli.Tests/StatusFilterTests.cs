using System.Text.Json;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary><c>shoal status --state/--name/--owner/--limit</c>: the store filters, and a filter that matches nothing says so.</summary>
public sealed class StatusFilterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_FiltersByStateNameAndOwner()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-filter-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "scan.conf"), "[default]\nkind = pull\n", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        foreach (var (name, owner) in new[] { ("nightly-a", "ops@example.org"), ("nightly-b", "dev@example.org"), ("adhoc", "ops@example.org") })
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), $$"""{"name":"{{name}}","owner":"{{owner}}","jobs":[{"name":"a","type":"scan","parts":["x"]}]}""", Ct);
            (await ShoalProcess.RunAsync(dir, "submit", "s.json")).Code.ShouldBe(0);
        }

        (await ShoalProcess.RunAsync(dir, "cancel", "s3")).Code.ShouldBe(0);

        (await Names("--owner", "ops@example.org")).ShouldBe(["adhoc", "nightly-a"]);
        (await Names("--name", "nightly")).ShouldBe(["nightly-b", "nightly-a"]);
        (await Names("--name", "nightly", "--owner", "ops@example.org")).ShouldBe(["nightly-a"]);
        (await Names("--state", "cancelled")).ShouldBe(["adhoc"]);
        (await Names("--limit", "1")).ShouldBe(["adhoc"]);

        var none = await ShoalProcess.RunAsync(dir, "status", "--owner", "nobody@example.org");
        none.Code.ShouldBe(0);
        none.Stderr.ShouldContain("no stream matches");
        var bad = await ShoalProcess.RunAsync(dir, "status", "--state", "sleeping");
        bad.Code.ShouldNotBe(0);
        bad.Stderr.ShouldContain("unknown state 'sleeping'");

        async Task<string[]> Names(params string[] filter)
        {
            var r = await ShoalProcess.RunAsync(dir, ["status", "--json", .. filter]);
            r.Code.ShouldBe(0, r.Stderr);
            return JsonDocument.Parse(r.Stdout).RootElement.EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToArray();
        }
    }
}
