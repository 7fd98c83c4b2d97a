using System.Text.Json;
using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<IReadOnlyList<LeasedPart>> LeaseAsync(LeaseRequest request, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<LeasedPart>>(tx => Lease(tx, request, null), ct);

    /// <summary>
    /// Serves many requests in one transaction, in order. Requests of the same kind (types with room, tags, job,
    /// aging, sweep lock) share one candidate-job query, and a job found empty is skipped by the requests after it.
    /// </summary>
    public Task<IReadOnlyList<IReadOnlyList<LeasedPart>>> LeaseManyAsync(IReadOnlyList<LeaseRequest> requests, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<IReadOnlyList<LeasedPart>>>(
            tx =>
            {
                var shared = new CandidateCache();
                return requests.Select(r => (IReadOnlyList<LeasedPart>)Lease(tx, r, shared)).ToList();
            },
            ct);

    private static List<LeasedPart> Lease(DbTx tx, LeaseRequest req, CandidateCache? shared)
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
        var types = JsonSerializer.Serialize(room.Keys.Order(StringComparer.Ordinal));
        var tags = req.Tags is null ? null : JsonSerializer.Serialize(req.Tags.Order(StringComparer.Ordinal));
        var kind = $"{types}|{tags}|{req.Job?.Value}|{aging}|{req.SweepLockHeld}";
        if (shared?.For(kind) is not { } candidates)
        {
            candidates = tx.Query(
                tx.Sql.CandidateJobs,
                r => (Job: r.GetInt64(0), Type: r.GetString(1), Stream: r.GetInt64(2)),
                ("@now", now),
                ("@aging", aging),
                ("@types", types),
                ("@job", req.Job?.Value),
                ("@tags", tags),
                ("@locked", req.SweepLockHeld ? 1 : 0));
            shared?.Keep(kind, candidates);
        }

        var ranges = req.KeyRanges is null ? null : JsonSerializer.Serialize(req.KeyRanges.Select(r => new[] { r.From, r.To }));
        foreach (var (job, type, stream) in candidates)
        {
            if (want <= 0)
            {
                break;
            }

            if (shared?.IsEmpty(job) == true)
            {
                continue;
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
            if (got.Count < k && ranges is null)
            {
                shared?.Emptied(job); // it had fewer ready parts than asked for: none are left
            }

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

    /// <summary>The candidate jobs of one <see cref="LeaseManyAsync"/> batch, by kind of request, and the jobs it emptied.</summary>
    private sealed class CandidateCache
    {
        private readonly Dictionary<string, List<(long Job, string Type, long Stream)>> _lists = new(StringComparer.Ordinal);
        private readonly HashSet<long> _empty = [];

        /// <summary>The candidates found for this kind, or null when there are none yet or every one has been emptied.</summary>
        public List<(long Job, string Type, long Stream)>? For(string kind) =>
            _lists.TryGetValue(kind, out var list) && list.Exists(c => !_empty.Contains(c.Job)) ? list : null;

        public void Keep(string kind, List<(long Job, string Type, long Stream)> list) => _lists[kind] = list;

        public bool IsEmpty(long job) => _empty.Contains(job);

        public void Emptied(long job) => _empty.Add(job);
    }
}
