using System.Collections.Concurrent;
using Shoal.Core.Model;

namespace Shoal.Server.Sweeps;

/// <summary>
/// What this server knows of sweeps that no store row says: which it started (a sweeps-only server runs no other), and
/// which hosts its collectors are running now (hosts leased ahead wait; they are not running).
/// </summary>
internal sealed class LocalSweeps
{
    private readonly ConcurrentDictionary<long, bool> _startedHere = new();
    private readonly ConcurrentDictionary<long, SweepPartSource> _running = new();

    public void MarkStarted(JobId job) => _startedHere[job.Value] = true;

    /// <summary>Whether this server started the sweep job <paramref name="job"/>.</summary>
    public bool StartedHere(JobId job) => _startedHere.ContainsKey(job.Value);

    public void Track(JobId job, SweepPartSource source) => _running[job.Value] = source;

    public void Untrack(JobId job) => _running.TryRemove(job.Value, out _);

    /// <summary>The parts whose collector runs now on this server, or null when this server does not run the job.</summary>
    public IReadOnlyCollection<long>? RunningParts(JobId job) => _running.TryGetValue(job.Value, out var source) ? source.RunningParts : null;
}
