using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>
/// The generic pull agent: leases parts of its types, runs a command per part (at most
/// <see cref="PullAgentOptions.Concurrency"/> at once), heartbeats while they run and reports exit code and
/// output. It rides out server restarts and network errors with backoff, keeping unsent reports, and on
/// cancellation stops leasing, finishes its running parts and reports them.
/// </summary>
public sealed class PullAgentRunner(PullAgentClient client, PullAgentOptions options, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _done;
    private int _failed;

    public int Done => _done;

    public int Failed => _failed;

    /// <summary>Runs until <paramref name="stop"/> is cancelled, then finishes the running parts.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var running = new List<Task>();
        var backoff = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            var free = options.Concurrency - running.Count;
            if (free == 0)
            {
                await Task.WhenAny(running).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<LeasedPartDto> parts;
            try
            {
                parts = await client.LeaseAsync(options.Types, free, running.Count == 0 ? options.Wait : TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException || ex is PullAgentException { IsPermanent: false })
            {
                backoff = Backoff(backoff);
                options.Progress?.Invoke($"server unreachable ({ex.Message}); retrying in {backoff.TotalSeconds:0} s");
                await DelayAsync(backoff, stop).ConfigureAwait(false);
                continue;
            }

            // Parts run to the end even when we are told to stop: they are finished and reported.
            running.AddRange(parts.Select(p => Task.Run(() => ProcessAsync(p), CancellationToken.None)));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task ProcessAsync(LeasedPartDto part)
    {
        var (run, stopped) = await PartRunner.RunAsync(client, part, options, _time, CancellationToken.None).ConfigureAwait(false);
        var (code, stdout, stderr) = (run.ExitCode, run.Stdout, run.Stderr);
        if (stopped)
        {
            options.Progress?.Invoke($"part {part.PartId}: stopped (its job was paused or cancelled)");
            return;
        }

        var result = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["exit_code"] = code, ["output"] = stdout });
        var ok = code == 0;
        var backoff = TimeSpan.Zero;
        while (true)
        {
            try
            {
                await client.CompleteAsync(part.PartId, part.LeaseId, ok, result, stderr.Length == 0 ? null : stderr, CancellationToken.None).ConfigureAwait(false);
                break;
            }
            catch (PullAgentException ex) when (ex.IsPermanent)
            {
                options.Progress?.Invoke($"part {part.PartId}: report refused: {ex.Message}");
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or PullAgentException)
            {
                // Keep the report until the server is back: nothing is lost.
                backoff = Backoff(backoff);
                await DelayAsync(backoff, CancellationToken.None).ConfigureAwait(false);
            }
        }

        Interlocked.Increment(ref ok ? ref _done : ref _failed);
        options.Progress?.Invoke($"part {part.PartId}: exit {code}");
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5394", Justification = "Jitter between retries, not a secret.")]
    private static TimeSpan Backoff(TimeSpan previous) =>
        TimeSpan.FromSeconds(Math.Min(30, previous == TimeSpan.Zero ? 0.5 : previous.TotalSeconds * 2) * (0.8 + (Random.Shared.NextDouble() * 0.4)));

    private async Task DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
