using System.Text;

namespace Shoal.Server.CommandPort;

/// <summary>
/// The commands of one command-port connection. A line is a command; so is what a client sent without a newline when
/// nothing follows it within <see cref="FlushAfter"/>, until the client ends a line with a newline (from then on its
/// lines are framed by newlines only, however slowly they come): FOSSology's interface takes one read as one command,
/// and <c>fo_cli</c> writes each command without a newline. A command is never kept past
/// <see cref="CommandPortServer.MaxLine"/> + 1 characters (the rest of an over-long one is read and dropped).
/// </summary>
internal sealed class CommandReader(StreamReader reader)
{
    /// <summary>How long a command without a newline waits for more before it is taken as it is.</summary>
    public static readonly TimeSpan FlushAfter = TimeSpan.FromMilliseconds(150);

    private readonly char[] _buffer = new char[4096];
    private readonly Queue<string> _complete = new();
    private readonly StringBuilder _partial = new();
    private bool _ended;

    // A client that has ended a line with a newline frames its commands so: its slow or split lines are never cut.
    private bool _newlines;

    // A read under way is kept across calls, never cancelled (that may leave the socket unusable for the answer): a
    // read abandoned at a time-out ends when the connection is closed.
    private Task<int>? _read;

    /// <summary>
    /// The next command, or null at the end of the stream. Throws <see cref="TimeoutException"/> when none has come
    /// within <paramref name="within"/>.
    /// </summary>
    public async Task<string?> NextAsync(TimeSpan within, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if (_complete.TryDequeue(out var line))
            {
                return line;
            }

            if (_ended)
            {
                return TakePartial();
            }

            var left = within - TimeProvider.System.GetElapsedTime(started);
            var wait = _partial.Length > 0 && !_newlines && FlushAfter < left ? FlushAfter : left;
            if (wait <= TimeSpan.Zero)
            {
                ct.ThrowIfCancellationRequested();
                throw new TimeoutException($"no line for {within.TotalSeconds:0.#} s");
            }

            _read ??= reader.ReadAsync(_buffer.AsMemory(), CancellationToken.None).AsTask();
            if (await Task.WhenAny(_read, Task.Delay(wait, ct)).ConfigureAwait(false) != _read)
            {
                ct.ThrowIfCancellationRequested();
                if (_partial.Length > 0)
                {
                    return TakePartial();
                }

                continue;
            }

            var read = await _read.ConfigureAwait(false);
            _read = null;
            if (read == 0)
            {
                _ended = true;
                continue;
            }

            Take(_buffer.AsSpan(0, read));
        }
    }

    private void Take(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c == '\n')
            {
                _newlines = true;
                _complete.Enqueue(TakePartial()!);
            }
            else if (_partial.Length <= CommandPortServer.MaxLine)
            {
                _partial.Append(c);
            }
        }
    }

    private string? TakePartial()
    {
        if (_partial.Length == 0 && _ended)
        {
            return null;
        }

        var line = _partial.ToString().TrimEnd('\r');
        _partial.Clear();
        return line;
    }
}
