using System.Globalization;

namespace Shoal.Bench;

/// <summary>Minimal <c>--name value</c> reading for the benchmark's few flags.</summary>
internal static class Args
{
    public static int Int(string[] args, string name, int fallback) =>
        int.Parse(Str(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public static string Str(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
