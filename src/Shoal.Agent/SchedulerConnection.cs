using System.Globalization;

namespace Shoal.Agent;

/// <summary>
/// The agent side of the spawned-agent line protocol (FOSSology's <c>fo_scheduler_*</c> calls):
/// connect, next, heart, set/get special, disconnect. A background timer sends <c>HEART:</c>.
/// </summary>
public sealed class SchedulerConnection : IAsyncDisposable
{
    private readonly TextReader _input;
    private readonly TextWriter _output;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;
    private long _items;
    private int _alive;

    private SchedulerConnection(TextReader input, TextWriter output, TimeSpan heartbeat, TimeProvider time)
    {
        _input = input;
        _output = output;
        _heartbeat = BeatAsync(heartbeat, time, _stop.Token);
    }

    /// <summary>The level last sent with <c>VERBOSE n</c>.</summary>
    public int Verbosity { get; private set; }

    /// <summary>Items processed so far (cumulative, as sent in heartbeats).</summary>
    public long Items => Interlocked.Read(ref _items);

    /// <summary>True when the agent was started by a scheduler (<c>--scheduler_start</c> among its arguments).</summary>
    public static bool StartedByScheduler(IEnumerable<string> args) => args.Contains("--scheduler_start");

    /// <summary>Says <c>VERSION:</c> and <c>OK</c> and starts the heartbeat.</summary>
    public static async Task<SchedulerConnection> ConnectAsync(string version, TextReader input, TextWriter output, CancellationToken ct, TimeSpan? heartbeat = null, TimeProvider? time = null)
    {
        var connection = new SchedulerConnection(input, output, heartbeat ?? TimeSpan.FromSeconds(30), time ?? TimeProvider.System);
        await connection.SendAsync($"VERSION: {version}\nOK\n", ct).ConfigureAwait(false);
        return connection;
    }

    /// <summary>The next data line, or null when the scheduler said <c>CLOSE</c> (or went away). Answers <c>OK</c> after each <c>END</c>.</summary>
    public async Task<string?> NextAsync(CancellationToken ct)
    {
        while (await _input.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line == "END")
            {
                await SendAsync("OK\n", ct).ConfigureAwait(false);
            }
            else if (line == "CLOSE")
            {
                return null;
            }
            else if (line.StartsWith("VERBOSE ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(8), NumberStyles.Integer, CultureInfo.InvariantCulture, out var level))
            {
                Verbosity = level;
            }
            else
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>Writes a log line to stderr, which the scheduler captures into its log (never into the protocol).</summary>
    public static void Log(string text) => Console.Error.WriteLine(text);

    /// <summary>Logs only when the scheduler set the verbosity (<c>VERBOSE n</c>) to at least <paramref name="level"/>.</summary>
    public void Verbose(int level, string text)
    {
        if (Verbosity >= level)
        {
            Log(text);
        }
    }

    /// <summary>Counts processed items for the next heartbeat and marks the agent as making progress.</summary>
    public void Processed(long items = 1)
    {
        Interlocked.Add(ref _items, items);
        Volatile.Write(ref _alive, 1);
    }

    public Task HeartAsync(CancellationToken ct) =>
        SendAsync($"HEART: {Items} {Interlocked.Exchange(ref _alive, 0)}\n", ct);

    /// <summary>Sets or clears a special flag on this agent (1 NOKILL, 2 EXCLUSIVE, 4 NOEMAIL, 8 LOCAL).</summary>
    public Task SetSpecialAsync(int mask, bool on, CancellationToken ct) => SendAsync($"SPECIAL: {mask} {(on ? 1 : 0)}\n", ct);

    /// <summary>Asks whether a special flag is set; call it between chunks, the answer is the next line.</summary>
    public async Task<bool> GetSpecialAsync(int mask, CancellationToken ct)
    {
        await SendAsync($"GETSPECIAL: {mask}\n", ct).ConfigureAwait(false);
        var answer = await _input.ReadLineAsync(ct).ConfigureAwait(false);
        return answer == "VALUE: 1";
    }

    /// <summary>Sets the text used in the completion email.</summary>
    public Task EmailAsync(string text, CancellationToken ct) => SendAsync($"EMAIL {text}\n", ct);

    /// <summary>Sends the last heartbeat and <c>BYE code</c>.</summary>
    public async Task DisconnectAsync(int code, CancellationToken ct)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await HeartAsync(ct).ConfigureAwait(false);
        await SendAsync($"BYE {code}\n", ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _heartbeat.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _write.Dispose();
    }

    private async Task SendAsync(string text, CancellationToken ct)
    {
        await _write.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _output.WriteAsync(text.AsMemory(), ct).ConfigureAwait(false);
            await _output.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    private async Task BeatAsync(TimeSpan period, TimeProvider time, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                await HeartAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
