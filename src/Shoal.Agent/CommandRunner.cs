using System.Diagnostics;
using System.Text;

namespace Shoal.Agent;

/// <summary>How a command run ended: exit code (-1 when killed), capped output, whether the time-out killed it.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr, bool TimedOut, TimeSpan Duration);

/// <summary>Runs one command without a shell (or with <c>/bin/sh -c</c> on request), capping its output and killing its process tree at a time-out.</summary>
public static class CommandRunner
{
    /// <summary>
    /// Substitutes <paramref name="value"/> for <paramref name="placeholder"/> and builds the process to start. The value
    /// is never code: without a shell it is one argument, and one that would start with <c>-</c> (read as an option,
    /// as <c>-oProxyCommand=…</c> by ssh) is refused; with <c>/bin/sh -c</c> it is passed in the environment
    /// (<c>SHOAL_PAYLOAD</c>, <c>SHOAL_HOST</c>) and the placeholder becomes a quoted expansion of it, whatever quotes
    /// the command put around the placeholder. Throws <see cref="UnsafeValueException"/> for a refused value.
    /// </summary>
    public static ProcessStartInfo Prepare(IReadOnlyList<string> command, bool shell, string placeholder, string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnsafeValueException($"{placeholder} contains a NUL character: refused");
        }

        var variable = "SHOAL_" + placeholder.Trim('{', '}').ToUpperInvariant();
        if (shell)
        {
            var psi = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", ShellText.Substitute(string.Join(' ', command), placeholder, variable) } };
            psi.Environment[variable] = value;
            return psi;
        }

        var words = command.Select(w => w.Replace(placeholder, value, StringComparison.Ordinal)).ToList();
        for (var i = 0; i < command.Count; i++)
        {
            if (command[i].StartsWith(placeholder, StringComparison.Ordinal) && value.StartsWith('-'))
            {
                throw new UnsafeValueException($"{placeholder} '{Shorten(value)}' starts with '-': refused, the command would read it as an option");
            }
        }

        var started = new ProcessStartInfo(words[0]);
        foreach (var word in words.Skip(1))
        {
            started.ArgumentList.Add(word);
        }

        started.Environment[variable] = value;
        return started;
    }

    /// <summary>What a run that was refused before it started reports: exit 126 (cannot execute) and the reason.</summary>
    public static CommandResult Refused(UnsafeValueException ex) => new(126, "", ex.Message, false, TimeSpan.Zero);

    /// <summary>Runs <paramref name="psi"/>; <paramref name="stop"/> may be set to kill it early (the result then says so by exit code -1).</summary>
    public static async Task<CommandResult> RunAsync(
        ProcessStartInfo psi, TimeSpan? timeout, int outputLimit, TimeProvider time, CancellationToken stop, Action? started = null)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        var startedAt = time.GetTimestamp();
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            started?.Invoke();
            return new CommandResult(127, "", $"cannot start {psi.FileName}: {ex.Message}", false, TimeSpan.Zero);
        }

        started?.Invoke();
        using (process)
        {
            process.StandardInput.Close();
            var stdout = ReadCappedAsync(process.StandardOutput, outputLimit);
            var stderr = ReadCappedAsync(process.StandardError, outputLimit);
            using var limit = timeout is { } t ? new CancellationTokenSource(t, time) : new CancellationTokenSource();
            using var either = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, stop);
            var timedOut = false;
            try
            {
                await process.WaitForExitAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = limit.IsCancellationRequested;
                Kill(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            var code = timedOut || stop.IsCancellationRequested ? -1 : process.ExitCode;
            return new CommandResult(code, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), timedOut, time.GetElapsedTime(startedAt));
        }
    }

    public static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static async Task<string> ReadCappedAsync(StreamReader reader, int limit)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                text.Append(buffer, 0, Math.Max(0, Math.Min(read, limit - text.Length)));
            }
        }
        catch (IOException)
        {
        }

        return text.ToString();
    }

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
