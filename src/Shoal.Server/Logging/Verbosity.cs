namespace Shoal.Server.Logging;

/// <summary>The scheduler's verbosity (0–7, or a component bit mask from 8 up), set with <c>verbose &lt;level&gt;</c>.</summary>
internal sealed class Verbosity
{
    private int _level = 1;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, int> _jobs = new();

    public int Level
    {
        get => Volatile.Read(ref _level);
        set => Volatile.Write(ref _level, value);
    }

    /// <summary>A job's agents' verbosity (<c>verbose &lt;job&gt; &lt;level&gt;</c>), 0 when never set; pull agents get it in heartbeat answers.</summary>
    public int ForJob(long job) => _jobs.GetValueOrDefault(job);

    public void SetJob(long job, int level) => _jobs[job] = level;
}
