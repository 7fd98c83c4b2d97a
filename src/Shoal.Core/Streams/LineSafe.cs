namespace Shoal.Core.Streams;

/// <summary>
/// Values that reach an agent — payloads, generated items — travel one to a line on its stdin and as arguments of
/// commands: a line break would inject protocol lines (<c>END</c>, <c>CLOSE</c>), a NUL would cut an argument short.
/// Every door that takes such a value asks here.
/// </summary>
public static class LineSafe
{
    /// <summary>What is wrong with <paramref name="value"/> ("contains a line break", "contains a NUL"), or null.</summary>
    public static string? Problem(string value) =>
        value.AsSpan().IndexOfAny('\n', '\r') >= 0 ? "contains a line break"
        : value.Contains('\0', StringComparison.Ordinal) ? "contains a NUL character"
        : null;
}
