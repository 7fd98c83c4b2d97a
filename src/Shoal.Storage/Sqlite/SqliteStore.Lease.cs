using System.Text.Json;
using Shoal.Core.Model;
using static Shoal.Storage.Sqlite.SqliteSql;

namespace Shoal.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const long NoAging = long.MaxValue / 4;

    public Task<IReadOnlyList<LeasedPart>> LeaseAsync(LeaseRequest request, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<LeasedPart>>(tx => Lease(tx, request), ct);

    private static List<LeasedPart> Lease(SqliteTx tx, LeaseRequest req)
    {
        var result = new List<LeasedPart>();
        var want = req.Max;
        if (req.HostMax >= 0)
        {
            want = Math.Min(want, req.HostMax - (int)tx.Long(LeasedOnHost, ("@host", req.Host)));
        }

        if (want <= 0 || req.Types.Count == 0)
        {
            return result;
        }

        // Room per type is claimed inside this transaction, so no interleaving can exceed a type's max.
        var room = new Dictionary<string, (int Room, TimeSpan Lease)>(StringComparer.Ordinal);
        foreach (var t in req.Types)
        {
            var left = t.Max < 0 ? int.MaxValue : t.Max - (int)tx.Long(LeasedOfType, ("@type", t.Type));
            if (left > 0)
            {
                room[t.Type] = (left, t.Lease);
            }
        }

        if (room.Count == 0)
        {
            return result;
        }

        var now = Ms(req.Now);
        var aging = req.AgingStep is { } a ? Math.Max(1L, (long)a.TotalMilliseconds) : NoAging;
        var candidates = tx.Query(
            CandidateJobs,
            r => (Job: r.GetInt64(0), Type: r.GetString(1), Stream: r.GetInt64(2)),
            ("@now", now),
            ("@aging", aging),
            ("@types", JsonSerializer.Serialize(room.Keys)));
        foreach (var (job, type, stream) in candidates)
        {
            if (want <= 0)
            {
                break;
            }

            var (left, lease) = room[type];
            var k = Math.Min(want, left);
            if (k <= 0)
            {
                continue;
            }

            var deadline = req.Now + lease;
            var got = tx.Query(
                LeaseParts,
                r => new LeasedPart(new PartId(r.GetInt64(0)), r.GetInt64(1), new JobId(job), type, r.GetInt32(2), r.GetString(3), deadline),
                ("@owner", req.Owner),
                ("@host", req.Host),
                ("@deadline", Ms(deadline)),
                ("@job", job),
                ("@k", k));
            if (got.Count == 0)
            {
                continue;
            }

            tx.Exec(JobLeased, ("@k", got.Count), ("@now", now), ("@job", job));
            tx.Exec(StreamStarted, ("@stream", stream));
            result.AddRange(got);
            want -= got.Count;
            room[type] = (left - got.Count, lease);
        }

        return result;
    }
}
