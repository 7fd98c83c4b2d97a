using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// Runs a doc's <c>console</c> blocks as a newcomer pastes them: every <c>$ </c> line in order, each checked against
/// the lines the doc shows under it (printed on stdout or stderr, in any order; <c>…</c> matches anything). <c>cd DIR</c>
/// moves on; <c>shoal … &amp;</c> starts a process that runs until the walk-through ends (a server: until it listens);
/// every other line runs in <c>/bin/sh</c> with the built <c>shoal</c> on its PATH (a line that is not <c>shoal …</c>
/// must succeed; a <c>shoal</c> command's exit status is the doc's to tell). A command that shows a state
/// (<c>status</c>, <c>failed</c>, …) is run again until it prints it, within a deadline: the work behind it is
/// asynchronous.
/// </summary>
internal sealed partial class DocWalkthrough(string dir) : IAsyncDisposable
{
    private static readonly string[] ReadOnly = ["status", "failed", "agents", "why", "results", "logs"];

    /// <summary>A folder with a <c>shoal</c> that runs the built one, for the shell's PATH.</summary>
    private static readonly Lazy<string> Bin = new(() =>
    {
        var bin = Directory.CreateTempSubdirectory("shoal-bin-").FullName;
        var shoal = Path.Combine(bin, "shoal");
        File.WriteAllText(shoal, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "shoal.dll")}' \"$@\"\n");
        File.SetUnixFileMode(shoal, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    });
    private readonly List<ShoalProcess> _background = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The folder the next command runs in.</summary>
    public string Dir { get; private set; } = dir;

    /// <summary>The processes started with <c>&amp;</c>, in order (their stderr helps a failure's message).</summary>
    public IReadOnlyList<ShoalProcess> Background => _background;

    /// <summary>The <c>$ </c> lines of every console block, each with the lines shown under it.</summary>
    public static List<(string Command, List<string> Expected)> Steps(string doc)
    {
        var steps = new List<(string, List<string>)>();
        foreach (Match block in ConsoleBlock().Matches(doc))
        {
            foreach (var line in block.Groups[1].Value.Split('\n').Where(l => l.Length > 0))
            {
                if (line.StartsWith("$ ", StringComparison.Ordinal))
                {
                    steps.Add((line[2..], []));
                }
                else
                {
                    steps[^1].Item2.Add(line);
                }
            }
        }

        return steps;
    }

    /// <summary>Runs every step; <paramref name="after"/> sees each command once it has run (a test's own adjustments go there, and only there).</summary>
    public async Task RunAsync(IEnumerable<(string Command, List<string> Expected)> steps, Func<string, Task>? after = null)
    {
        foreach (var (command, expected) in steps)
        {
            await StepAsync(command, expected);
            if (after is not null)
            {
                await after(command);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in Enumerable.Reverse(_background))
        {
            await p.DisposeAsync();
        }
    }

    private async Task StepAsync(string command, List<string> expected)
    {
        if (command.StartsWith("cd ", StringComparison.Ordinal))
        {
            Dir = Path.Combine(Dir, command[3..].Trim());
            return;
        }

        if (command.StartsWith("shoal ", StringComparison.Ordinal) && command.EndsWith(" &", StringComparison.Ordinal))
        {
            var words = Words(command["shoal ".Length..^2]);
            _background.Add(ShoalProcess.Start(Dir, null, words));
            if (words[0] == "server")
            {
                var url = Path.Combine(Dir, ".shoal", "server.url");
                await Poll.UntilAsync(() => File.Exists(url) || _background[^1].Process.HasExited, 30);
                _background[^1].Process.HasExited.ShouldBeFalse($"`{command}` exited: {_background[^1].Stderr}");
            }

            return;
        }

        // Everything else runs in a shell, as pasted: quotes, redirections and all, `shoal` on the PATH.
        var (code, output) = await ShellAsync(command);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ReadOnly.Any(verb => command.StartsWith($"shoal {verb}", StringComparison.Ordinal)) && !expected.All(line => Lines(output).Any(o => Matches(o, line))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
            (code, output) = await ShellAsync(command);
        }

        if (!command.StartsWith("shoal ", StringComparison.Ordinal))
        {
            code.ShouldBe(0, $"`{command}`: {output}");
        }

        Expect(command, output, expected);
    }

    private static void Expect(string command, string output, List<string> expected)
    {
        foreach (var line in expected)
        {
            Lines(output).ShouldContain(o => Matches(o, line), $"`{command}` printed:\n{output}\nwithout the doc's line:\n{line}");
        }
    }

    private static string[] Lines(string output) => output.Split('\n');

    /// <summary>A doc line matches an output line when its pieces between <c>…</c> appear in it in order, the first starting it and the last ending it (the whole line without a <c>…</c>).</summary>
    private static bool Matches(string output, string doc)
    {
        if (!doc.Contains('…', StringComparison.Ordinal))
        {
            return output == doc;
        }

        var pieces = doc.Split('…');
        if (!output.StartsWith(pieces[0], StringComparison.Ordinal) || !output.EndsWith(pieces[^1], StringComparison.Ordinal))
        {
            return false;
        }

        var at = pieces[0].Length;
        foreach (var piece in pieces[1..^1])
        {
            var i = output.IndexOf(piece, at, StringComparison.Ordinal);
            if (i < 0)
            {
                return false;
            }

            at = i + piece.Length;
        }

        if (at > output.Length - pieces[^1].Length)
        {
            return false;
        }

        return true;
    }

    private static string[] Words(string command) =>
        SingleQuotedOrWord().Matches(command).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value).ToArray();

    private async Task<(int Code, string Output)> ShellAsync(string command)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", command]) { WorkingDirectory = Dir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["PATH"] = Bin.Value + ":" + Environment.GetEnvironmentVariable("PATH");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(Ct);
        var stderr = p.StandardError.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        return (p.ExitCode, await stdout + "\n" + await stderr);
    }

    [GeneratedRegex("```console\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ConsoleBlock();

    [GeneratedRegex("'([^']*)'|\\S+")]
    private static partial Regex SingleQuotedOrWord();
}
