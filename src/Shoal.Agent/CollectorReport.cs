using System.Text.Json;

namespace Shoal.Agent;

/// <summary>
/// How a sweep collector's run of one host is reported, by the server's own runner and by a zone's collector node
/// alike: <c>{"exit_code", "duration_ms", "output", "error"}</c> as the result, and what the host's history keeps as
/// its message (the collector's stderr, its last 4 KiB; else the error).
/// </summary>
public static class CollectorReport
{
    public const int MaxSaid = 4096;

    public static (bool Ok, string Result, string? Said) Of(CommandResult run, bool aborted, TimeSpan hostTimeout)
    {
        var ok = run.ExitCode == 0 && !run.TimedOut && !aborted;
        var error = run.TimedOut ? $"killed after the host time-out of {hostTimeout.TotalSeconds:0} s"
            : aborted ? "killed: the sweep ended (time limit or cancel)"
            : ok ? null : $"exit code {run.ExitCode}";
        var result = JsonSerializer.Serialize(new { exit_code = run.ExitCode, duration_ms = (long)run.Duration.TotalMilliseconds, output = run.Stdout, error });
        var said = run.Stderr.Length == 0 ? error : run.Stderr.Length <= MaxSaid ? run.Stderr : run.Stderr[^MaxSaid..];
        return (ok, result, said);
    }
}
