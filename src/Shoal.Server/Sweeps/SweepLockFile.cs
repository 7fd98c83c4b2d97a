using System.Globalization;

namespace Shoal.Server.Sweeps;

/// <summary>The sweep lock file's contents (<c>pid start stream</c>) and whether its process lives.</summary>
public static class SweepLockFile
{
    /// <summary>Who holds the lock file at <paramref name="path"/>, when a live process does; null when it is free or stale.</summary>
    public static string? LiveHolder(string path)
    {
        var (pid, since, stream) = Read(path);
        return pid is { } p && Alive(p) ? $"the sweep lock {path} is held by pid {p} since {since} (stream {stream})" : null;
    }

    internal static (int? Pid, string? Since, long? Stream) Read(string path)
    {
        // No lock is the usual case, read on every wake of the work loop: a stat, not a thrown FileNotFoundException.
        if (!File.Exists(path))
        {
            return (null, null, null);
        }

        try
        {
            var words = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (words.Length > 0 && int.TryParse(words[0], CultureInfo.InvariantCulture, out var pid) ? pid : null,
                words.Length > 1 ? words[1] : null,
                words.Length > 2 && long.TryParse(words[2], CultureInfo.InvariantCulture, out var s) ? s : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null, null);
        }
    }

    internal static bool Alive(int pid) => Directory.Exists($"/proc/{pid}");
}
