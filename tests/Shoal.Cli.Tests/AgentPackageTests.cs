using System.Diagnostics;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// Shoal.Agent, Shoal.Client and Shoal.Contracts as NuGet packages: packed into a folder feed, consumed by the
/// solution examples/package-consumer (projects of their own, with package references): its agent speaks the line
/// protocol, its submitter runs a stream built in code on a real server.
/// </summary>
[Collection(nameof(BuildsCollection))]
public sealed class AgentPackageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePackages_BuildTheSampleSolution_FromTheFeed_AndItsAgentAndSubmitterWork()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "docs", "install.md"), Ct);
        foreach (var line in new[]
        {
            "dotnet pack src/Shoal.Contracts -c Release -o feed", "dotnet pack src/Shoal.Agent -c Release -o feed", "dotnet pack src/Shoal.Client -c Release -o feed",
            "dotnet build -c Release examples/package-consumer",
            "dotnet examples/package-consumer/submit/bin/Release/net10.0/shoal-example-submit.dll \"$(cat .shoal/server.url)\" .shoal/admin.token scan",
        })
        {
            doc.ShouldContain(line, customMessage: "docs/install.md says what this test runs");
        }

        var work = Directory.CreateTempSubdirectory("shoal-agent-pkg-").FullName;
        var feed = Path.Combine(work, "feed");
        foreach (var project in new[] { "src/Shoal.Contracts", "src/Shoal.Agent", "src/Shoal.Client" })
        {
            var pack = await RunAsync("dotnet", ShoalProcess.RepoRoot, ["pack", project, "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(work, "artifacts")], null);
            pack.Code.ShouldBe(0, pack.Output);
        }

        Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order().ShouldBe(["Shoal.Agent.0.9.0.nupkg", "Shoal.Client.0.9.0.nupkg", "Shoal.Contracts.0.9.0.nupkg"]);
        Directory.GetFiles(feed, "*.snupkg").Select(Path.GetFileName).Order().ShouldBe(["Shoal.Agent.0.9.0.snupkg", "Shoal.Client.0.9.0.snupkg", "Shoal.Contracts.0.9.0.snupkg"]);
        foreach (var name in new[] { "Shoal.Agent", "Shoal.Client", "Shoal.Contracts" })
        {
            // Each package: its README, the API's XML docs beside the assembly, and the commit it was built from (SourceLink).
            using var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"{name}.0.9.0.nupkg"));
            package.Entries.Select(e => e.FullName).ShouldContain("README.md");
            package.Entries.Select(e => e.FullName).ShouldContain($"lib/net10.0/{name}.xml");
            using var nuspec = new StreamReader(package.GetEntry($"{name}.nuspec")!.Open());
            (await nuspec.ReadToEndAsync(Ct)).ShouldMatch(@"<repository type=""git""[^>]* commit=""[0-9a-f]{40}""");
        }


        // The sample, as it sits under examples/ (its feed is ../../feed from its folder), with its source beside it.
        var examples = Directory.CreateDirectory(Path.Combine(work, "examples")).FullName;
        var consumer = Path.Combine(examples, "package-consumer");
        CopyFolder(Path.Combine(ShoalProcess.RepoRoot, "examples", "package-consumer"), consumer);
        CopyFolder(Path.Combine(ShoalProcess.RepoRoot, "examples", "csharp-agent"), Path.Combine(examples, "csharp-agent"), "Program.cs");
        var build = await RunAsync("dotnet", consumer, ["build", "-c", "Release", "-p:RestorePackagesPath=" + Path.Combine(work, "packages")], null);
        build.Code.ShouldBe(0, build.Output);
        foreach (var package in new[] { "shoal.agent", "shoal.client", "shoal.contracts" })
        {
            File.Exists(Path.Combine(work, "packages", package, "0.9.0", package + ".0.9.0.nupkg")).ShouldBeTrue($"{package} restored from the feed");
        }

        var run = await RunAsync("dotnet", work, [Path.Combine(consumer, "agent", "bin", "Release", "net10.0", "shoal-example-agent.dll"), "--scheduler_start"], "a.c\nbb.c\nEND\nCLOSE\n");
        run.Code.ShouldBe(0, run.Output);
        run.Output.ShouldStartWith("VERSION: shoal-example-agent 1.0\nOK\n");
        run.Output.ShouldContain("HEART: 2 1");
        run.Output.ShouldContain("BYE 0");

        // The submitter, against a real server whose agent type `scan` is the example bash agent.
        var dir = Path.Combine(work, "server");
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "scan.conf"), $"[default]\ncommand = {Path.Combine(ShoalProcess.RepoRoot, "examples", "agents", "noop-agent.sh")}\n", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 60);
        var url = (await File.ReadAllTextAsync(Path.Combine(dir, ".shoal", "server.url"), Ct)).Trim();
        var submitter = Path.Combine(consumer, "submit", "bin", "Release", "net10.0", "shoal-example-submit.dll");

        var submitted = await RunAsync("dotnet", dir, [submitter, url, Path.Combine(dir, ".shoal", "admin.token"), "scan"], null);
        submitted.Code.ShouldBe(0, submitted.Output);
        submitted.Output.ShouldMatch(@"^submitted stream \d+\n");
        submitted.Output.ShouldEndWith("completed: 4/4 parts done\n");

        var refused = await RunAsync("dotnet", dir, [submitter, url, Path.Combine(dir, ".shoal", "admin.token"), "nmap"], null);
        refused.Code.ShouldBe(2, refused.Output);
        refused.Output.ShouldContain("shoal-example-submit: 400 ");
        refused.Output.ShouldContain("unknown agent type 'nmap'");
    }

    private static void CopyFolder(string from, string to, string? only = null)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from).Where(f => only is null || Path.GetFileName(f) == only))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var sub in only is null ? Directory.GetDirectories(from).Where(d => Path.GetFileName(d) is not ("bin" or "obj")) : [])
        {
            CopyFolder(sub, Path.Combine(to, Path.GetFileName(sub)));
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
