using System.Text;

namespace Shoal.Server.Spawned;

/// <summary>
/// Reads lines from an agent's output keeping at most <c>max</c> characters of each: the rest of an over-long line
/// is read and dropped (counted in <see cref="Dropped"/>), so one endless line cannot fill the server's memory.
/// </summary>
internal sealed class CappedLineReader(TextReader reader, int max)
{
    /// <summary>The most characters of one line kept from an agent (its stdout and its stderr).</summary>
    public const int MaxLine = 64 * 1024;

    private readonly char[] _buffer = new char[8192];
    private int _pos;
    private int _len;

    /// <summary>Characters dropped from the line last returned.</summary>
    public long Dropped { get; private set; }

    /// <summary>Whether a whole line has been read from the agent already and waits here (the next line needs no read).</summary>
    public bool HasBufferedLine => _pos < _len && Array.IndexOf(_buffer, '\n', _pos, _len - _pos) >= 0;

    /// <summary>The next line (without its line break), or null at the end of the output.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var line = new StringBuilder();
        Dropped = 0;
        while (true)
        {
            if (_pos == _len)
            {
                _len = await reader.ReadAsync(_buffer.AsMemory()).ConfigureAwait(false);
                _pos = 0;
                if (_len == 0)
                {
                    return line.Length > 0 || Dropped > 0 ? line.ToString() : null;
                }
            }

            var newline = Array.IndexOf(_buffer, '\n', _pos, _len - _pos);
            var end = newline < 0 ? _len : newline;
            var take = Math.Max(0, Math.Min(end - _pos, max - line.Length));
            line.Append(_buffer, _pos, take);
            Dropped += end - _pos - take;
            _pos = newline < 0 ? _len : newline + 1;
            if (newline >= 0)
            {
                return line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();
            }
        }
    }
}
