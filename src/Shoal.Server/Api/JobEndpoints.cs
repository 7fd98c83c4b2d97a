using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Server.Operations;
using Shoal.Server.Spawned;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Shoal.Server.Broker;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>REST endpoints for single jobs and agents: pause/restart/cancel a job, why, the agent list.</summary>
internal static class JobEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/jobs/{id}/pause", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.PauseJobAsync(x, ct), s, ct));
        api.MapPost("/jobs/{id}/resume", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.ResumeJobAsync(x, ct), s, ct));
        api.MapPost("/jobs/{id}/cancel", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.CancelJobAsync(x, ct), s, ct));
        api.MapPost("/jobs/{id}/requeue", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.RequeueJobAsync(x, ct), s, ct, Control.NothingFailed));
        api.MapPost("/jobs/{id}/force", (string id, IQueueStore s, JobOperations o, CancellationToken ct) => ControlAsync(id, x => o.ForceJobAsync(x, ct), s, ct));
        api.MapGet("/agents", async (Dispatcher d, ConfigHolder config, IQueueStore s, TimeProvider t, PullAgentRoster roster, CancellationToken ct) =>
            Results.Json(
                AgentsOf(d, config, await ServersAsync(s, t, ct).ConfigureAwait(false)) with { Pull = await PullAgentsAsync(roster, config, s, ct).ConfigureAwait(false) },
                ShoalJson.Options)).WithMetadata(Api.DashboardRead.Instance);
        api.MapGet("/servers", async (IQueueStore s, TimeProvider t, CancellationToken ct) => Results.Json(await ServersAsync(s, t, ct).ConfigureAwait(false), ShoalJson.Options)).WithMetadata(Api.DashboardRead.Instance);
    }

    /// <summary>The pull agents this server has heard from, with the leases they hold now and when any server last heard from them.</summary>
    public static async Task<IReadOnlyList<PullAgentDto>> PullAgentsAsync(PullAgentRoster roster, ConfigHolder config, IQueueStore store, CancellationToken ct)
    {
        var cfg = config.Current;
        var leases = await store.CountLeasesByOwnerAsync(PullAgentRoster.OwnerPrefix, ct).ConfigureAwait(false);
        var seen = (await store.ListAgentsSeenAsync(ct).ConfigureAwait(false)).ToDictionary(s => s.Owner, s => s.At, StringComparer.Ordinal);
        return roster.Snapshot(leases, seen, cfg.Scheduler.AgentLostAfter, cfg.Scheduler.NodeName);
    }

    /// <summary>Every server of the cluster as it last recorded itself (this one included, at most a second old).</summary>
    public static async Task<List<ServerDto>> ServersAsync(IQueueStore store, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var records = await store.ListServersAsync(ct).ConfigureAwait(false);
        bool Alive(ServerRecord r) => now - r.LastSeen <= ClusterMember.LostAfter;

        // A leader that died still says so in its last record; the newest claim (made after it took the lock) is the leader.
        var leader = records.Where(r => r.Leader && Alive(r)).MaxBy(r => r.LastSeen)?.Name;
        return records.Select(r =>
        {
            var agents = Alive(r) ? System.Text.Json.JsonSerializer.Deserialize<List<AgentDto>>(r.Agents, ShoalJson.Options) ?? [] : [];
            return new ServerDto(r.Name, r.Url, r.StartedAt, r.LastSeen, r.Name == leader, Alive(r) ? "alive" : "lost", agents, r.ClockOffsetMs);
        }).ToList();
    }

    private static AgentsResponse AgentsOf(Dispatcher d, ConfigHolder config, List<ServerDto> servers)
    {
        var cfg = config.Current;
        var types = cfg.AgentTypes.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new AgentTypeDto(
            t.Name,
            t.Kind.ToString().ToLowerInvariant(),
            t.Max,
            !d.InvalidTypes.ContainsKey(t.Name),
            d.InvalidTypes.GetValueOrDefault(t.Name),
            d.Verdicts.Where(v => v.Type == t.Name).Select(v => new HostVerdictDto(v.Host, v.State, v.Reason)).ToList())).ToList();
        var hosts = cfg.Hosts.Select(h => new HostDto(h.Name, h.Address, h.Max, d.Agents.Count(a => a.Host == h.Name && !a.Suspended), d.DownHosts.Contains(h.Name))).ToList();
        // This server's agents as they are now, then those of the other live servers as they last recorded them.
        var name = cfg.Scheduler.NodeName;
        var agents = d.Agents.Concat(servers.Where(s => s.Name != name).SelectMany(s => s.Agents)).ToList();
        return new AgentsResponse(types, agents, hosts, d.Startup.Count, d.Startup.MeanMs);
    }

    /// <summary>A job operation answered as REST answers: the job's new state, 400, 404 or 409.</summary>
    public static Task<IResult> ControlAsync(string id, Func<JobId, Task<ControlOutcome>> action, IQueueStore store, CancellationToken ct, Func<string?, string>? conflict = null) =>
        Control.RunAsync(
            "job",
            id,
            n => action(new JobId(n)),
            async n => (await store.GetJobAsync(new JobId(n), ct).ConfigureAwait(false))?.State.Name(),
            conflict);
}
