using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Server.Spawned;
using Shoal.Storage;

namespace Shoal.Server.Spawned;

/// <summary>
/// EXCLUSIVE jobs, scoped and cancellable: an exclusive job waits until the agents it conflicts with
/// finish their chunks (they get no more), then runs alone; with <c>exclusive_scope = stream</c> it
/// conflicts only with its own stream. Recomputed from scratch at each step, so cancelling an exclusive
/// job releases everything at once.
/// </summary>
internal sealed class ExclusiveGate
{
    private readonly Dictionary<JobId, string> _blocked = [];

    public static ExclusiveGate None { get; } = new();

    public IReadOnlyDictionary<JobId, string> Blocked => _blocked;

    public bool Allows(JobId job) => !_blocked.ContainsKey(job);

    public static ExclusiveGate Compute(IReadOnlyList<JobDemand> demand, IReadOnlyList<SpawnedAgent> agents, ShoalConfig config)
    {
        var gate = new ExclusiveGate();
        var jobs = demand.Select(d => (d.Job, d.Stream, d.Type))
            .Concat(agents.Where(a => a.Job is not null).Select(a => (Job: a.Job!.Value, Stream: a.Stream!.Value, Type: a.Type.Name)))
            .DistinctBy(j => j.Job)
            .ToList();
        bool IsExclusive(string type) => config.AgentTypes.TryGetValue(type, out var t) && t.Special.HasFlag(AgentSpecial.Exclusive);
        bool Active(JobId job) => agents.Any(a => a.Job == job);

        // Running exclusive jobs first, then waiting ones in leasing order.
        var exclusives = jobs.Where(j => IsExclusive(j.Type)).OrderByDescending(j => Active(j.Job)).ToList();
        foreach (var x in exclusives)
        {
            if (gate._blocked.ContainsKey(x.Job))
            {
                continue;
            }

            var scope = config.AgentTypes[x.Type].ExclusiveScope;
            bool Conflicts(JobId job, StreamId stream) => job != x.Job && (scope == ExclusiveScope.All || stream == x.Stream);
            var conflicting = agents.Count(a => a.Job is { } j && Conflicts(j, a.Stream!.Value));
            if (!Active(x.Job) && conflicting > 0)
            {
                gate._blocked[x.Job] = $"EXCLUSIVE: waiting for {conflicting} agent(s) it conflicts with to finish";
            }

            foreach (var j in jobs.Where(j => Conflicts(j.Job, j.Stream)))
            {
                gate._blocked.TryAdd(j.Job, $"waiting for exclusive job {x.Job}");
            }
        }

        return gate;
    }
}
