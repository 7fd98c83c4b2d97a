using Shoal.Contracts;

namespace Shoal.Server.Dashboard;

/// <summary>
/// Parts done and failed per minute over the last hour, from the cluster-wide totals this server samples each second
/// (a total that goes down — finished streams purged — starts the minute again from there).
/// </summary>
internal sealed class MinuteHistory
{
    private const int Minutes = 60;
    private readonly Queue<MinutePoint> _closed = new();
    private (DateTimeOffset Minute, long Done, long Failed, long DoneBase, long FailedBase)? _open;

    public IReadOnlyList<MinutePoint> Add(DateTimeOffset now, long done, long failed)
    {
        var minute = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        lock (_closed)
        {
            if (_open is not { } open || done < open.DoneBase || failed < open.FailedBase)
            {
                _open = (minute, done, failed, done, failed);
            }
            else if (minute > open.Minute)
            {
                // The minute that ended keeps what happened up to the last sample in it; the new one starts there.
                _closed.Enqueue(new MinutePoint(open.Minute, open.Done - open.DoneBase, open.Failed - open.FailedBase));
                while (_closed.Count > Minutes - 1)
                {
                    _closed.Dequeue();
                }

                _open = (minute, done, failed, open.Done, open.Failed);
            }
            else
            {
                _open = open with { Done = done, Failed = failed };
            }

            var current = _open!.Value;
            return [.. _closed, new MinutePoint(current.Minute, current.Done - current.DoneBase, current.Failed - current.FailedBase)];
        }
    }
}
