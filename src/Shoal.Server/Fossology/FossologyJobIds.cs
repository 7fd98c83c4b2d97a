using System.Collections.Concurrent;
using Shoal.Core.Model;

namespace Shoal.Server.Fossology;

/// <summary>
/// The jobqueue rows in flight and their Shoal jobs: kept by <see cref="FossologyQueue"/>, read by the command port,
/// which speaks FOSSology's ids (<c>jq_pk</c>) as FOSSology's UI does (<c>pause</c>, <c>kill</c>, <c>status</c> …).
/// </summary>
internal sealed class FossologyJobIds
{
    private readonly ConcurrentDictionary<int, JobId> _byPk = new();
    private readonly ConcurrentDictionary<JobId, int> _byJob = new();

    public int Count => _byPk.Count;

    public IReadOnlyList<KeyValuePair<int, JobId>> All => [.. _byPk];

    public bool TryGet(int pk, out JobId job) => _byPk.TryGetValue(pk, out job);

    public void Add(int pk, JobId job)
    {
        _byPk[pk] = job;
        _byJob[job] = pk;
    }

    public void Remove(int pk)
    {
        if (_byPk.TryRemove(pk, out var job))
        {
            _byJob.TryRemove(job, out _);
        }
    }

    /// <summary>The Shoal job a command-port id names: a row in flight's job, else the id itself (a Shoal job).</summary>
    public JobId JobOf(long id) => id is >= int.MinValue and <= int.MaxValue && _byPk.TryGetValue((int)id, out var job) ? job : new JobId(id);

    /// <summary>The id the command port shows for a job: its row's jq_pk, else its own.</summary>
    public long Shown(JobId job) => _byJob.TryGetValue(job, out var pk) ? pk : job.Value;
}
