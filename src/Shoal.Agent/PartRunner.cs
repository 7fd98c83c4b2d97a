using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>Runs the pull agent's command for one part, heartbeating while it runs.</summary>
internal static class PartRunner
{
    public static async Task<(int ExitCode, string Stdout, string Stderr, bool Stopped)> RunAsync(
        PullAgentClient client, LeasedPartDto part, PullAgentOptions options, TimeProvider time, CancellationToken ct)
    {
        var payload = part.Payload.ValueKind == JsonValueKind.String ? part.Payload.GetString()! : part.Payload.GetRawText();
        var psi = options.Shell
            ? new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", string.Join(' ', options.Command).Replace("{payload}", Quote(payload), StringComparison.Ordinal) } }
            : new ProcessStartInfo(options.Command[0].Replace("{payload}", payload, StringComparison.Ordinal));
        if (!options.Shell)
        {
            foreach (var word in options.Command.Skip(1))
            {
                psi.ArgumentList.Add(word.Replace("{payload}", payload, StringComparison.Ordinal));
            }
        }

        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var process = Process.Start(psi)!;
        var stdout = ReadCappedAsync(process.StandardOutput, options.OutputLimit);
        var stderr = ReadCappedAsync(process.StandardError, options.OutputLimit);
        var stopped = false;
        using var beat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(client, part, time, () =>
        {
            stopped = true;
            KillQuietly(process);
        }, beat.Token);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await beat.CancelAsync().ConfigureAwait(false);
            await heartbeat.ConfigureAwait(false);
        }

        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), stopped);
    }

    private static async Task HeartbeatAsync(PullAgentClient client, LeasedPartDto part, TimeProvider time, Action stop, CancellationToken ct)
    {
        var period = TimeSpan.FromSeconds(Math.Clamp((part.Deadline - time.GetUtcNow()).TotalSeconds / 3, 1, 30));
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    if ((await client.HeartbeatAsync(part.PartId, part.LeaseId, ct).ConfigureAwait(false)).Stop)
                    {
                        stop();
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // The server is away; the part keeps running and is reported when it is back.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<string> ReadCappedAsync(StreamReader reader, int limit)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            text.Append(buffer, 0, Math.Max(0, Math.Min(read, limit - text.Length)));
        }

        return text.ToString();
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
