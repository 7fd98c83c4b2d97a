using System.Collections.Concurrent;
using System.Globalization;
using Shoal.Server.Hosting;

namespace Shoal.Server.Logging;

/// <summary>Each job's agent output (stderr and log lines) in <c>logdir/jobs/JOB.log</c>, rotated by size.</summary>
internal sealed class JobLogs(ConfigHolder config, TimeProvider time)
{
    private readonly ConcurrentDictionary<long, RotatingFile> _files = new();

    public string PathOf(long job) => System.IO.Path.Combine(config.Current.LogDir, "jobs", $"{job.ToString(CultureInfo.InvariantCulture)}.log");

    public void Append(long job, string type, int pid, string line)
    {
        var file = _files.GetOrAdd(job, j => new RotatingFile(PathOf(j)));
        file.Append($"{time.GetUtcNow():yyyy-MM-dd HH:mm:ss} {type} [{pid}] :: {line}");
    }
}
