using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Server.Engine;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>REST endpoints for single jobs and agents: pause/restart/cancel a job, why, the agent list.</summary>
internal static class JobEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/jobs/{id}/pause", (string id, IShoalStore s, TimeProvider t, Dispatcher d, WorkSignal w, CancellationToken ct) =>
            ControlAsync(id, x => s.PauseJobAsync(x, t.GetUtcNow(), ct), s, d, w, ct));
        api.MapPost("/jobs/{id}/resume", (string id, IShoalStore s, TimeProvider t, Dispatcher d, WorkSignal w, CancellationToken ct) =>
            ControlAsync(id, x => s.ResumeJobAsync(x, t.GetUtcNow(), ct), s, d, w, ct));
        api.MapPost("/jobs/{id}/cancel", (string id, IShoalStore s, TimeProvider t, Dispatcher d, WorkSignal w, CancellationToken ct) =>
            ControlAsync(id, x => s.EndJobAsync(x, JobState.Cancelled, "cancelled by user", t.GetUtcNow(), ct), s, d, w, ct));
        api.MapGet("/agents", (Dispatcher d, ConfigHolder config) => Results.Json(AgentsOf(d, config), ShoalJson.Options));
    }

    private static AgentsResponse AgentsOf(Dispatcher d, ConfigHolder config)
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
        return new AgentsResponse(types, d.Agents, hosts, d.Startup.Count, d.Startup.MeanMs);
    }

    private static Task<IResult> ControlAsync(
        string id, Func<JobId, Task<ControlOutcome>> action, IShoalStore store, Dispatcher dispatcher, WorkSignal signal, CancellationToken ct) =>
        Control.RunAsync(
            "job",
            id,
            n => action(new JobId(n)),
            async n => (await store.GetJobAsync(new JobId(n), ct).ConfigureAwait(false))?.State.Name(),
            dispatcher,
            signal);
}
