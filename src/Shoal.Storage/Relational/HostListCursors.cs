using Shoal.Core.Streams;

namespace Shoal.Storage.Relational;

/// <summary>
/// Host lists (<c>"generate": {"file": …}</c>) are read in batches, each from where the last one stopped: the open
/// reader of each generating job is kept here with the part it has reached. A batch asked for from anywhere else
/// (after a restart, or a batch another writer made) opens the file again and skips to it.
/// </summary>
internal sealed class HostListCursors
{
    private readonly Dictionary<long, (long Next, IEnumerator<string> Hosts)> _open = [];
    private readonly Lock _gate = new();

    /// <summary>Parts <paramref name="next"/>.. of job <paramref name="job"/>'s host list, at most <paramref name="limit"/>; fewer means it is exhausted.</summary>
    public List<string> Read(long job, string file, int chunk, long next, int limit)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(job, out var cursor) || cursor.Next != next)
            {
                cursor.Hosts?.Dispose();
                _open.Remove(job);

                // A host list that vanished since the submit, or is no longer what it checked (a link in its place, a FIFO,
                // a file grown past the limit), ends the generation with what was generated.
                if (InputFiles.StillAsChecked(file) is not null)
                {
                    return [];
                }

                cursor = (next, GeneratorSpec.Hosts(InputFiles.Lines(file)).GetEnumerator());
                for (var skipped = 0L; skipped < next * chunk && cursor.Hosts.MoveNext(); skipped++)
                {
                }
            }

            var hosts = new List<string>();
            while (hosts.Count < limit * chunk && cursor.Hosts.MoveNext())
            {
                hosts.Add(cursor.Hosts.Current);
            }

            var parts = hosts.Chunk(chunk).Select(h => string.Join(',', h)).ToList();
            if (parts.Count < limit)
            {
                cursor.Hosts.Dispose();
                _open.Remove(job);
            }
            else
            {
                _open[job] = (next + parts.Count, cursor.Hosts);
            }

            return parts;
        }
    }

    /// <summary>Closes the reader of a job that stopped generating (it ended).</summary>
    public void Forget(long job)
    {
        lock (_gate)
        {
            if (_open.Remove(job, out var cursor))
            {
                cursor.Hosts.Dispose();
            }
        }
    }
}
