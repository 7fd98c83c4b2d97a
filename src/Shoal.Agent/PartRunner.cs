using System.Diagnostics;
using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>Runs a pull worker's command for one part, heartbeating while it runs.</summary>
internal static class PartRunner
{
    /// <summary>
    /// Runs the part's command; <paramref name="abort"/> kills it. <c>Stopped</c> when a heartbeat's answer stopped it
    /// (its job was paused or cancelled).
    /// </summary>
    public static async Task<(CommandResult Result, bool Stopped)> RunAsync(
        IPartSource source, LeasedPartDto part, PullAgentOptions options, TimeProvider time, CancellationToken abort)
    {
        var payload = part.Payload.ValueKind == JsonValueKind.String ? part.Payload.GetString()! : part.Payload.GetRawText();
        ProcessStartInfo psi;
        try
        {
            psi = CommandRunner.Prepare(options.Command, options.Shell, options.Placeholder, payload);
        }
        catch (UnsafeValueException ex)
        {
            source.Started(part);
            return (CommandRunner.Refused(ex), false);
        }

        // The command joins the part's trace (W3C's TRACEPARENT, as OpenTelemetry's SDKs read it).
        if (part.Traceparent is { } trace)
        {
            psi.Environment["TRACEPARENT"] = trace;
        }

        // A part whose command is killed at its time-out before its lease runs out has nothing to keep.
        if (options.PartTimeout is { } timeout && time.GetUtcNow() + timeout < part.Deadline)
        {
            return (await CommandRunner.RunAsync(psi, timeout, options.OutputLimit, time, abort, () => source.Started(part)).ConfigureAwait(false), false);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(abort);
        using var beat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(source, part, time, stop, beat.Token);
        var result = await CommandRunner.RunAsync(psi, options.PartTimeout, options.OutputLimit, time, stop.Token, () => source.Started(part)).ConfigureAwait(false);
        await beat.CancelAsync().ConfigureAwait(false);
        var stopped = await heartbeat.ConfigureAwait(false);
        return (result, stopped);
    }

    /// <summary>Heartbeats until cancelled; returns true when the server said stop (and <paramref name="stop"/> was cancelled).</summary>
    private static async Task<bool> HeartbeatAsync(IPartSource source, LeasedPartDto part, TimeProvider time, CancellationTokenSource stop, CancellationToken ct)
    {
        // A third of the lease, at most 30 s, and at most what the server asks (it counts an agent silent past four of those lost).
        var seconds = Math.Clamp((part.Deadline - time.GetUtcNow()).TotalSeconds / 3, 1, 30);
        var period = TimeSpan.FromSeconds(part.HeartbeatSeconds > 0 ? Math.Clamp(part.HeartbeatSeconds, 0.5, seconds) : seconds);
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    if (await source.HeartbeatAsync(part, ct).ConfigureAwait(false))
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
