using System.Globalization;
using Microsoft.Extensions.Logging;
using Shoal.Server.Hosting;

namespace Shoal.Server.Sweeps;

/// <summary>
/// The sweep lock file (<c>[SWEEP] lock</c>): held by a sweep for its whole run, it keeps a second sweep
/// out and holds back jobs declaring <c>wait_for_lock = sweep</c>. The file says who holds it
/// (<c>pid start stream</c>); a lock whose process is gone is stale and taken over with a warning.
/// </summary>
internal sealed class SweepLock(ConfigHolder config, TimeProvider time, ILogger<SweepLock> logger)
{
    private readonly Lock _gate = new();

    // Read and written by many threads: a reference is swapped whole, never seen half-written.
    private volatile Seen? _cache;

    /// <summary>Takes the lock for <paramref name="stream"/>; on failure <paramref name="holder"/> names who holds it.</summary>
    public bool TryAcquire(long stream, out string? holder)
    {
        lock (_gate)
        {
            var path = config.Current.SweepLock;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            for (var attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                    using var writer = new StreamWriter(file);
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {time.GetUtcNow():O} {stream}"));
                    holder = null;
                    _cache = null;
                    return true;
                }
                catch (IOException) when (File.Exists(path))
                {
                    var (pid, since, _) = SweepLockFile.Read(path);
                    if (pid is { } p && SweepLockFile.Alive(p))
                    {
                        holder = $"the sweep lock {path} is held by pid {p} since {since}";
                        return false;
                    }

                    Log.StaleLock(logger, path, pid ?? 0);
                    File.Delete(path);
                }
            }

            holder = $"the sweep lock {path} could not be taken";
            return false;
        }
    }

    /// <summary>Names the stream this process holds the lock for (taken before the stream existed).</summary>
    public void Assign(long stream)
    {
        lock (_gate)
        {
            var path = config.Current.SweepLock;
            var (pid, since, _) = SweepLockFile.Read(path);
            if (pid == Environment.ProcessId)
            {
                File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"{pid} {since} {stream}\n"));
            }
        }
    }

    /// <summary>
    /// The stream this process holds the lock for, if it does. A lock taken for a sweep whose stream is being stored
    /// (not assigned yet) names none: it belongs to the sweep being started, not to an ended one.
    /// </summary>
    public long? HeldStream()
    {
        var (pid, _, stream) = SweepLockFile.Read(config.Current.SweepLock);
        return pid == Environment.ProcessId && stream >= 0 ? stream : null;
    }

    /// <summary>Releases the lock if this process holds it for <paramref name="stream"/>.</summary>
    public void Release(long stream)
    {
        lock (_gate)
        {
            var path = config.Current.SweepLock;
            var (pid, _, held) = SweepLockFile.Read(path);
            if (pid == Environment.ProcessId && held == stream)
            {
                File.Delete(path);
            }

            _cache = null;
        }
    }

    /// <summary>Whether a live process holds the lock (checked at most every half second).</summary>
    public bool IsHeld()
    {
        var now = time.GetTimestamp();
        if (_cache is { } c && time.GetElapsedTime(c.At, now) < TimeSpan.FromMilliseconds(500))
        {
            return c.Held;
        }

        var (pid, _, _) = SweepLockFile.Read(config.Current.SweepLock);
        var held = pid is { } p && SweepLockFile.Alive(p);
        _cache = new Seen(now, held);
        return held;
    }

    /// <summary>Who holds the lock, for <c>shoal why</c>.</summary>
    public string Describe()
    {
        var (pid, since, stream) = SweepLockFile.Read(config.Current.SweepLock);
        return pid is null ? "not held" : $"held by pid {pid} since {since} (stream {stream})";
    }

    private sealed record Seen(long At, bool Held);
}
