using Shoal.Core.Model;

namespace Shoal.Storage.Tests.Concurrency;

/// <summary>
/// The rules a conformance round must keep, checked against the store's final state and the clients' ledger.
/// Returns every violation found (empty when the round was clean).
/// </summary>
internal static class Invariants
{
    public static async Task<List<string>> CheckAsync(IShoalStore store, Ledger ledger, IEnumerable<StreamId> streams, CancellationToken ct)
    {
        var problems = new List<string>();
        var grants = ledger.Grants.ToList();
        var answers = ledger.Answers.ToList();
        var issued = grants.Select(g => (g.Part.PartId, g.Part.LeaseId, g.Owner)).ToHashSet();
        var jobs = new Dictionary<JobId, (JobView Job, IReadOnlyList<PartView> Parts)>();
        foreach (var id in streams)
        {
            var detail = (await store.GetStreamAsync(id, ct))!;
            if (!detail.Stream.State.IsTerminal())
            {
                problems.Add($"stream {detail.Stream.Name} is {detail.Stream.State} after the drain: work was lost");
            }

            foreach (var job in detail.Jobs)
            {
                jobs[job.Id] = (job, await store.GetPartsAsync(job.Id, ct));
            }
        }

        foreach (var (job, parts) in jobs.Values)
        {
            var counted = new PartCounts(
                parts.Count(p => p.State == PartState.Ready),
                parts.Count(p => p.State == PartState.Leased),
                parts.Count(p => p.State == PartState.Done),
                parts.Count(p => p.State == PartState.Failed),
                parts.Count(p => p.State == PartState.Retrying));
            if (job.Parts != counted)
            {
                problems.Add($"job {job.Name} counts {job.Parts} but its parts are {counted}");
            }

            if (job.State == JobState.Completed && parts.Any(p => p.State is PartState.Ready or PartState.Leased or PartState.Retrying))
            {
                problems.Add($"job {job.Name} completed with {parts.Count(p => p.State is PartState.Ready or PartState.Leased or PartState.Retrying)} parts not finished");
            }

            if (!job.State.IsTerminal())
            {
                problems.Add($"job {job.Name} is {job.State} after the drain (counts {job.Parts}; parts {string.Join(", ", parts.GroupBy(p => p.State).Select(g => $"{g.Key} {g.Count()}"))})");
            }

            foreach (var part in parts)
            {
                var done = answers.Where(a => a.Report.PartId == part.Id && a.Counted && a.Report.Outcome == PartOutcome.Ok).ToList();
                if (done.Count > 1)
                {
                    problems.Add($"part {part.Id} ({job.Name}) was counted done {done.Count} times: leases {string.Join(", ", done.Select(a => $"{a.Report.Owner}#{a.Report.LeaseId} {a.Outcome}"))}");
                }

                if ((part.State == PartState.Done) != (done.Count == 1))
                {
                    problems.Add($"part {part.Id} ({job.Name}) is {part.State} but {done.Count} ok reports were accepted for it");
                }
            }

            // A dependent's part is leased only after each dependency's parts were reported: a report that
            // was only sent after the dependent's first lease returned means the dependency completed too early.
            var firstGrant = grants.Where(g => g.Part.JobId == job.Id).MinBy(g => g.Ended);
            foreach (var dep in job.DependsOn)
            {
                if (firstGrant is null)
                {
                    continue;
                }

                var (depJob, depParts) = jobs[dep];
                if (depJob.State != JobState.Completed)
                {
                    problems.Add($"job {job.Name} leased parts, but its dependency {depJob.Name} is {depJob.State}");
                }

                var ids = depParts.Select(p => p.Id).ToHashSet();
                var after = answers.Where(a => ids.Contains(a.Report.PartId) && a.Counted && a.Started > firstGrant.Ended).ToList();
                if (after.Count > 0)
                {
                    problems.Add($"job {job.Name} leased parts before {after.Count} reports of its dependency {depJob.Name} were sent");
                }
            }
        }

        foreach (var answer in answers.Where(a => a.Counted && !issued.Contains((a.Report.PartId, a.Report.LeaseId, a.Report.Owner))))
        {
            problems.Add($"a report of part {answer.Report.PartId} for lease {answer.Report.Owner}#{answer.Report.LeaseId}, never issued, was {answer.Outcome}");
        }

        return problems;
    }
}
