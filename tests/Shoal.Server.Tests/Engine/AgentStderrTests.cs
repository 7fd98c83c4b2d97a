using Shouldly;

namespace Shoal.Server.Tests.Engine;

/// <summary>An agent that dies before it says VERSION: what it wrote to stderr is the reason an operator needs.</summary>
public sealed class AgentStderrTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAgentDyingBeforeVersion_HasItsStderrAndExitCode_InTheTypesReasonAndTheSchedulerLog()
    {
        // As FOSSology's C agents die without their configuration tree (libfossology's fo_scheduler_connect).
        var script = Path.Combine(Directory.CreateTempSubdirectory("shoal-stderr-").FullName, "broken.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho 'FATAL fossology.c.200: unable to open system configuration: /nowhere/fossology.conf' >&2\nexit 255\n", Ct);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["broken"] = $"[default]\ncommand = {script}\nmax = 1\n" });

        var agents = await Poll.UntilAsync(server.AgentsAsync, a => a.Types.Single().Hosts.Any(h => h.State != "testing"), 30);
        var reason = agents.Types.Single().Hosts.Single().Reason;
        reason.ShouldNotBeNull();
        reason.ShouldContain("exited with code 255 before sending its version");
        reason.ShouldContain("unable to open system configuration: /nowhere/fossology.conf");

        var log = Path.Combine(server.Dir, ".shoal", "logs", "shoal.log");
        var lines = await Poll.UntilAsync(() => File.ReadAllLinesAsync(log, Ct), l => l.Any(x => x.Contains("before sending its version", StringComparison.Ordinal)), 10);
        lines.ShouldContain(l => l.Contains("agent broken on localhost", StringComparison.Ordinal)
            && l.Contains("exited with code 255 before sending its version", StringComparison.Ordinal)
            && l.Contains("unable to open system configuration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAgentKilledBySignalMidPart_LeavesTheSignalAndItsStderr_InThePartsLogAndTheJobsReason()
    {
        var script = Path.Combine(Directory.CreateTempSubdirectory("shoal-segv-").FullName, "segv.sh");
        await File.WriteAllTextAsync(script, """
            #!/bin/sh
            echo "VERSION: 1"
            echo "OK"
            while read -r line; do
              case "$line" in
                CLOSE) echo "BYE 0"; exit 0;;
                *segv*) echo "boom: null pointer reading $line" >&2; kill -SEGV $$;;
                *) echo "OK";;
              esac
            done
            """.Replace("\r", "", StringComparison.Ordinal), Ct);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["crashy"] = $"[default]\ncommand = {script}\nmax = 1\nretries = 0\n" });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"j","type":"crashy","parts":["file-segv.c"]}]}""");
        var end = await server.WaitEndAsync(created.Id);
        end.State.ShouldBe("failed");
        var reason = end.Jobs[0].Reason!;
        reason.ShouldContain("'file-segv.c' failed after 1 attempt");
        reason.ShouldContain("killed by signal 11, SIGSEGV");

        var failed = await server.Http.GetStringAsync($"/api/v1/jobs/{created.Jobs["j"]}/failed", Ct);
        failed.ShouldContain("agent exited with code 139 (killed by signal 11, SIGSEGV) without BYE 0");
        failed.ShouldContain("boom: null pointer reading file-segv.c", Case.Sensitive, "its last stderr lines");
    }
}
