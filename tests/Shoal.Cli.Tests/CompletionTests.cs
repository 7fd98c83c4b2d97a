using System.Diagnostics;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// <c>shoal completion bash|zsh|fish</c>, loaded into the real shells (a <c>shoal</c> on PATH runs this build), completes
/// commands and options from what <c>shoal</c> itself suggests.
/// </summary>
public sealed class CompletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheInstallDoc_LoadsAndSavesEachScript_AsThisTestDoes()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(ShoalProcess.RepoRoot, "docs", "install.md"), Ct);
        doc.ShouldContain("source <(shoal completion bash)");
        doc.ShouldContain("shoal completion zsh > \"${fpath[1]}/_shoal\"");
        doc.ShouldContain("shoal completion fish > ~/.config/fish/completions/shoal.fish");
    }

    [Fact]
    public async Task Bash_CompletesCommandsAndOptions_ByPrefix()
    {
        var output = await RunAsync("/bin/bash", "-c", """
            source <(shoal completion bash)
            complete -p shoal
            COMP_LINE="shoal sta"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(shoal sta); COMP_CWORD=1; _shoal_complete
            echo "1:${COMPREPLY[*]}"
            COMP_LINE="shoal status --st"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(shoal status --st); COMP_CWORD=2; _shoal_complete
            echo "2:${COMPREPLY[*]}"
            COMP_LINE="shoal sweep --gap"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(shoal sweep --gap); COMP_CWORD=2; _shoal_complete
            echo "3:${COMPREPLY[*]}"
            """);
        output.ShouldContain("complete -o default -F _shoal_complete shoal");
        output.ShouldContain("1:status\n");
        output.ShouldContain("2:--state --state-dir\n");
        output.ShouldContain("3:\n");
    }

    [Fact]
    public async Task Fish_CompletesCommandsAndOptions()
    {
        var output = await RunAsync("/usr/bin/fish", "-c", """
            shoal completion fish | source
            echo "1:"(complete -C"shoal sche")
            echo "2:"(complete -C"shoal token cr")
            """);
        output.ShouldContain("1:schedule\n");
        output.ShouldContain("2:create\n");
    }

    [Fact]
    public async Task Zsh_AddsWhatShoalSuggests_ForTheWordsBeforeTheCursor()
    {
        // compadd and compdef are completion-system builtins; outside an interactive completion they print what they get.
        var output = await RunAsync("/usr/bin/zsh", "-c", """
            compdef() { print "compdef $*" }
            compadd() { shift; print -l -- "$@" }
            source <(shoal completion zsh)
            BUFFER="shoal token cr"; CURSOR=${#BUFFER}; _shoal
            """);
        output.ShouldContain("compdef _shoal shoal\n");
        output.Split('\n').ShouldContain("create");
        output.Split('\n').ShouldNotContain("status");
    }

    [Fact]
    public async Task AnUnknownShell_IsRefusedSayingWhichAreKnown()
    {
        var (code, _, stderr) = await ShoalProcess.RunAsync(Path.GetTempPath(), "completion", "powershell");
        code.ShouldNotBe(0);
        stderr.ShouldContain("powershell");
        stderr.ShouldContain("bash");
    }

    private static async Task<string> RunAsync(string shell, params string[] args)
    {
        File.Exists(shell).ShouldBeTrue($"{shell} is needed (.ci/run installs bash, zsh and fish)");
        var bin = Directory.CreateTempSubdirectory("shoal-completion-").FullName;
        var wrapper = Path.Combine(bin, "shoal");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "shoal.dll")}' \"$@\"\n", Ct);
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var psi = new ProcessStartInfo(shell, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = bin };
        psi.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["HOME"] = bin; // fish writes its history and config under HOME
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(Ct);
        var stdout = await p.StandardOutput.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        p.ExitCode.ShouldBe(0, stdout + await stderr);
        return stdout;
    }
}
