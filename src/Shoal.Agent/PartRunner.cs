using System.Diagnostics;
using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>Runs the pull agent's command for one part, heartbeating while it runs.</summary>
internal static class PartRunner
{
    public static async Task<(CommandResult Result, bool Stopped)> RunAsync(
        PullAgentClient client, LeasedPartDto part, PullAgentOptions options, TimeProvider time, CancellationToken ct)
    {
        var payload = part.Payload.ValueKind == JsonValueKind.String ? part.Payload.GetString()! : part.Payload.GetRawText();
        ProcessStartInfo psi;
        try
        {
            psi = CommandRunner.Prepare(options.Command, options.Shell, "{payload}", payload);
        }
        catch (UnsafeValueException ex)
        {
            return (CommandRunner.Refused(ex), false);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var beat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(client, part, time, stop, beat.Token);
        var result = await CommandRunner.RunAsync(psi, null, options.OutputLimit, time, stop.Token).ConfigureAwait(false);
        await beat.CancelAsync().ConfigureAwait(false);
        var stopped = await heartbeat.ConfigureAwait(false);
        return (result, stopped);
    }

    /// <summary>Heartbeats until cancelled; returns true when the server said stop (and <paramref name="stop"/> was cancelled).</summary>
    private static async Task<bool> HeartbeatAsync(PullAgentClient client, LeasedPartDto part, TimeProvider time, CancellationTokenSource stop, CancellationToken ct)
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
                        await stop.CancelAsync().ConfigureAwait(false);
                        return true;
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

        return false;
    }
}
