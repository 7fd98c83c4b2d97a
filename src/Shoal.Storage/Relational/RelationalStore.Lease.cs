using System.Text.Json;
using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<IReadOnlyList<LeasedPart>> LeaseAsync(LeaseRequest request, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<LeasedPart>>(tx => Lease(tx, request), ct);

    public Task<IReadOnlyList<IReadOnlyList<LeasedPart>>> LeaseManyAsync(IReadOnlyList<LeaseRequest> requests, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<IReadOnlyList<LeasedPart>>>(tx => requests.Select(r => (IReadOnlyList<LeasedPart>)Lease(tx, r)).ToList(), ct);

    private static List<LeasedPart> Lease(DbTx tx, LeaseRequest req)
    {
        var result = new List<LeasedPart>();
        var want = req.Max;
        if (tx.Sql.SerializeLimitedLeases is { } serialize && (req.HostMax >= 0 || req.Types.Any(t => t.Max >= 0)))
        {
            // Counting slots and claiming them must not interleave with another server doing the same.
            tx.Exec(serialize);
        }

        if (req.HostMax >= 0 && tx.Long(HostSlotsTaken, ("@host", req.Host), ("@owner", req.Owner)) >= req.HostMax)
        {
            return result;
        }

        if (want <= 0 || req.Types.Count == 0)
        {
            return result;
        }

        // Slots are claimed inside this transaction, so no interleaving can exceed a type's or a host's max.
        var room = new Dictionary<string, (int Room, TimeSpan Lease)>(StringComparer.Ordinal);
        foreach (var t in req.Types)
        {
            if (t.Max < 0 || tx.Long(TypeSlotsTaken, ("@type", t.Type), ("@owner", req.Owner)) < t.Max)
            {
                room[t.Type] = (int.MaxValue, t.Lease);
            }
        }

        if (room.Count == 0)
        {
            return result;
        }

        var now = Ms(req.Now);
        var aging = req.AgingStep is { } a ? Math.Max(1L, (long)a.TotalMilliseconds) : NoAging;
        var candidates = tx.Query(
            tx.Sql.CandidateJobs,
            r => (Job: r.GetInt64(0), Type: r.GetString(1), Stream: r.GetInt64(2)),
            ("@now", now),
            ("@aging", aging),
            ("@types", JsonSerializer.Serialize(room.Keys)),
            ("@job", req.Job?.Value),
            ("@tags", req.Tags is null ? null : JsonSerializer.Serialize(req.Tags)),
            ("@locked", req.SweepLockHeld ? 1 : 0));
        var ranges = req.KeyRanges is null ? null : JsonSerializer.Serialize(req.KeyRanges.Select(r => new[] { r.From, r.To }));
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
                ranges is null ? tx.Sql.LeaseParts : tx.Sql.LeasePartsInRanges,
                r => new LeasedPart(new PartId(r.GetInt64(0)), r.GetInt64(1), new JobId(job), type, r.GetInt32(2), r.GetString(3), deadline, r.GetInt32(4) == 1),
                ("@owner", req.Owner),
                ("@host", req.Host),
                ("@deadline", Ms(deadline)),
                ("@job", job),
                ("@k", k),
                ("@ranges", ranges));
            if (got.Count == 0)
            {
                continue;
            }

            // RETURNING gives no order (PostgreSQL): parts go out oldest first.
            got.Sort((x, y) => x.PartId.Value.CompareTo(y.PartId.Value));

            tx.Exec(JobLeased, ("@k", got.Count), ("@now", now), ("@job", job));
            tx.Exec(StreamStarted, ("@stream", stream));
            result.AddRange(got);
            want -= got.Count;
            room[type] = (left - got.Count, lease);
        }

        return result;
    }
}
