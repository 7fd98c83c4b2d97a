using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>
/// The pull worker: leases parts from its <see cref="IPartSource"/>, runs a command per part (at most
/// <see cref="PullAgentOptions.Concurrency"/> at once), heartbeats while they run and reports how each ended. It is
/// <c>shoal agent</c> (over REST) and the server's sweep workers (over the work broker). It rides out server
/// restarts and network errors with backoff, keeping unsent reports; when told to stop it stops leasing, finishes its
/// running parts and reports them; when aborted it kills them and reports them killed.
/// </summary>
public sealed class PullAgentRunner
{
    private readonly IPartSource _source;
    private readonly PullAgentOptions _options;
    private readonly TimeProvider _time;
    private int _done;
    private int _failed;
    private int _undelivered;
    private int _unreachable;
    private long _stopAtTicks = long.MaxValue;

    public PullAgentRunner(IPartSource source, PullAgentOptions options, TimeProvider? time = null)
    {
        _source = source;
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The generic pull agent: the parts of the options' types over the REST API.</summary>
    public PullAgentRunner(PullAgentClient client, PullAgentOptions options, TimeProvider? time = null)
        : this(new RestPartSource(client, options.Types), options, time)
    {
    }

    public int Done => _done;

    public int Failed => _failed;

    /// <summary>Parts whose report was given up when stopping with the server unreachable (they are run again).</summary>
    public int Undelivered => _undelivered;

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled, then finishes the running parts; <paramref name="abort"/>
    /// kills them instead (they are reported, killed).
    /// </summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken abort = default)
    {
        var options = _options;
        var running = new List<Task>();
        var backoff = TimeSpan.Zero;
        using var stopping = stop.Register(() => Interlocked.Exchange(ref _stopAtTicks, _time.GetUtcNow().UtcTicks));
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
                parts = await _source.LeaseAsync(free, running.Count == 0 ? options.Wait : TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                backoff = TimeSpan.Zero;
                Reachable();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException || ex is PullAgentException { IsPermanent: false })
            {
                backoff = Backoff(backoff);
                Unreachable(ex);
                options.Progress?.Invoke($"server unreachable ({ex.Message}); retrying in {backoff.TotalSeconds:0} s");
                await DelayAsync(backoff, stop).ConfigureAwait(false);
                continue;
            }

            // Parts run to the end even when we are told to stop (not when aborted): they are finished and reported.
            running.AddRange(parts.Select(p => Task.Run(() => ProcessAsync(p, abort), CancellationToken.None)));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task ProcessAsync(LeasedPartDto part, CancellationToken abort)
    {
        var options = _options;
        var (run, stopped) = await PartRunner.RunAsync(_source, part, options, _time, abort).ConfigureAwait(false);
        if (stopped)
        {
            options.Progress?.Invoke($"part {part.PartId}: stopped (its job was paused or cancelled)");
            return;
        }

        var aborted = abort.IsCancellationRequested;
        var code = run.ExitCode;
        var ok = code == 0;
        var backoff = TimeSpan.Zero;
        while (true)
        {
            try
            {
                await _source.ReportAsync(part, run, aborted, CancellationToken.None).ConfigureAwait(false);
                Reachable();
                break;
            }
            catch (PullAgentException ex) when (ex.IsPermanent)
            {
                options.Progress?.Invoke($"part {part.PartId}: report refused: {ex.Message}");
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or PullAgentException)
            {
                // Keep the report until the server is back: nothing is lost. Once stopping, only for the stop grace:
                // an undelivered part is run again when its lease ends on the server.
                Unreachable(ex);
                var stoppedFor = _time.GetUtcNow().UtcTicks - Interlocked.Read(ref _stopAtTicks);
                if (abort.IsCancellationRequested || stoppedFor >= options.StopGrace.Ticks)
                {
                    Interlocked.Increment(ref _undelivered);
                    options.Notice?.Invoke($"part {part.PartId}: report not delivered (server unreachable: {ex.Message}); the server runs it again when its lease ends");
                    return;
                }

                if (backoff == TimeSpan.Zero)
                {
                    options.Notice?.Invoke($"part {part.PartId}: report kept until the server answers");
                }

                backoff = Backoff(backoff);
                await DelayAsync(backoff, abort).ConfigureAwait(false);
            }
        }

        Interlocked.Increment(ref ok ? ref _done : ref _failed);
        options.Progress?.Invoke($"part {part.PartId}: exit {code}");
    }

    private void Unreachable(Exception ex)
    {
        if (Interlocked.Exchange(ref _unreachable, 1) == 0)
        {
            _options.Notice?.Invoke($"server unreachable ({ex.Message}); retrying with back-off (up to 30 s)");
        }
    }

    private void Reachable()
    {
        if (Interlocked.Exchange(ref _unreachable, 0) == 1)
        {
            _options.Notice?.Invoke("server reachable again");
        }
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
