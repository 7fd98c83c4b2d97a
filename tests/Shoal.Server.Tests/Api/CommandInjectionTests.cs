using Shoal.Agent;
using Shouldly;

namespace Shoal.Server.Tests.Api;

/// <summary>
/// Values substituted into agents' and collectors' commands never run as code nor act as options (issue 15, rows 5
/// and 6), with real <c>/bin/sh</c> and real processes.
/// </summary>
public sealed class CommandInjectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("echo {payload}")]
    [InlineData("echo \"{payload}\"")]
    [InlineData("echo '{payload}'")]
    [InlineData("echo \"seen: {payload}!\"")]
    [InlineData("echo 'seen: {payload}!'")]
    [InlineData("echo \\\"{payload}\\\"")]
    public async Task ShellMode_RunsNoneOfThePayload_WhateverQuotesTheCommandPutAroundIt(string command)
    {
        var marker = Path.Combine(Path.GetTempPath(), "shoal-injected-" + Guid.NewGuid().ToString("N"));
        var payload = $"a $(touch {marker}) `touch {marker}` ' \" ; touch {marker}";
        var psi = CommandRunner.Prepare([command], shell: true, "{payload}", payload);
        var run = await CommandRunner.RunAsync(psi, TimeSpan.FromSeconds(10), 4096, TimeProvider.System, Ct);
        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.ShouldContain(payload, customMessage: "the payload arrives as it was, in one piece");
        File.Exists(marker).ShouldBeFalse("nothing of the payload ran");
    }

    [Theory]
    [InlineData("-oProxyCommand=touch${IFS}/tmp/x")]
    [InlineData("--help")]
    public void WithoutAShell_AValueThatWouldBeAnOption_IsRefused(string host)
    {
        var ex = Should.Throw<UnsafeValueException>(() => CommandRunner.Prepare(["ssh", "{host}", "uptime"], shell: false, "{host}", host));
        ex.Message.ShouldContain("starts with '-': refused, the command would read it as an option");
        CommandRunner.Refused(ex).ExitCode.ShouldBe(126);
    }

    [Fact]
    public void WithoutAShell_AValueInsideAnArgument_StaysInThatArgument()
    {
        var psi = CommandRunner.Prepare(["ssh", "-p", "22", "user@{host}", "uptime"], shell: false, "{host}", "-x");
        psi.ArgumentList.ShouldBe(["-p", "22", "user@-x", "uptime"]);
        psi.Environment["SHOAL_HOST"].ShouldBe("-x");
    }
}
