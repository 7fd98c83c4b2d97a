using System.Globalization;

namespace Shoal.Core.Config;

/// <summary>Typed reads of INI values; a bad value names its file and line.</summary>
internal static class IniValues
{
    public static int Int(this IniDocument doc, IniEntry e, int min = int.MinValue)
    {
        if (!int.TryParse(e.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
        {
            throw doc.Error(e, min == int.MinValue
                ? $"'{e.Key}' must be an integer, got '{e.Value}'"
                : $"'{e.Key}' must be an integer >= {min}, got '{e.Value}'");
        }

        return v;
    }

    public static long Long(this IniDocument doc, IniEntry e, long min)
    {
        if (!long.TryParse(e.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
        {
            throw doc.Error(e, $"'{e.Key}' must be an integer >= {min}, got '{e.Value}'");
        }

        return v;
    }

    private const double MaxSeconds = 10 * 365.25 * 24 * 3600;

    public static TimeSpan Seconds(this IniDocument doc, IniEntry e)
    {
        // At most ten years: NaN, infinities and 1e20 are no durations (TimeSpan would throw on them).
        if (!double.TryParse(e.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v <= 0 || v > MaxSeconds)
        {
            throw doc.Error(e, $"'{e.Key}' must be a positive number of seconds (at most {MaxSeconds:0}), got '{e.Value}'");
        }

        return TimeSpan.FromSeconds(v);
    }

    public static double Number(this IniDocument doc, IniEntry e, double min, double max)
    {
        if (!double.TryParse(e.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < min || v > max)
        {
            throw doc.Error(e, $"'{e.Key}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{e.Value}'");
        }

        return v;
    }

    public static T Enum<T>(this IniDocument doc, IniEntry e, params (string Name, T Value)[] choices)
    {
        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, e.Value, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw doc.Error(e, $"'{e.Key}' must be one of {string.Join(", ", choices.Select(c => c.Name))}, got '{e.Value}'");
    }

    public static ConfigException UnknownKey(this IniDocument doc, IniEntry e) =>
        doc.Error(e, $"unknown key '{e.Key}' in [{e.Section}]");
}
