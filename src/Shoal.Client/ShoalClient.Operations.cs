using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Client;

/// <summary>The operator's side of the API: servers, agents, tokens, sweeps, schedules and the plain calls.</summary>
public sealed partial class ShoalClient
{
    /// <summary>The servers sharing the store (one on SQLite).</summary>
    public Task<List<ServerDto>> ServersAsync(CancellationToken ct = default) =>
        SendAsync<List<ServerDto>>(HttpMethod.Get, "api/v1/servers", null, ct);

    /// <summary>Spawned agent types by host, and pull agents by token.</summary>
    public Task<AgentsResponse> AgentsAsync(CancellationToken ct = default) =>
        SendAsync<AgentsResponse>(HttpMethod.Get, "api/v1/agents", null, ct);

    /// <summary>Makes a token (admin or agent); its secret is in the answer only.</summary>
    public Task<TokenCreated> CreateTokenAsync(TokenCreateRequest request, CancellationToken ct = default) =>
        SendAsync<TokenCreated>(HttpMethod.Post, "api/v1/tokens", Json(request), ct);

    /// <summary>The tokens (never their secrets).</summary>
    public Task<List<TokenDto>> TokensAsync(CancellationToken ct = default) =>
        SendAsync<List<TokenDto>>(HttpMethod.Get, "api/v1/tokens", null, ct);

    /// <summary>Revokes a token at once.</summary>
    public Task<JsonElement> RevokeTokenAsync(long id, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"api/v1/tokens/{id}/revoke", null, ct);

    /// <summary>Starts a sweep of an inventory (a 409 while another holds the sweep lock).</summary>
    public Task<SweepStarted> StartSweepAsync(SweepRequest request, CancellationToken ct = default) =>
        SendAsync<SweepStarted>(HttpMethod.Post, "api/v1/sweeps", Json(request), ct);

    /// <summary>A sweep's progress, and its hosts when <paramref name="hosts"/>.</summary>
    public Task<SweepStatus> SweepAsync(long id, bool hosts = false, CancellationToken ct = default) =>
        SendAsync<SweepStatus>(HttpMethod.Get, $"api/v1/sweeps/{id}{(hosts ? "?hosts=true" : "")}", null, ct);

    /// <summary>A host's last sweep and check-in results, newest first.</summary>
    public Task<List<HostResultDto>> HostResultsAsync(string host, int limit = 10, CancellationToken ct = default) =>
        SendAsync<List<HostResultDto>>(HttpMethod.Get, $"api/v1/hosts/{Uri.EscapeDataString(host)}/results?limit={limit}", null, ct);

    /// <summary>Adds a recurring schedule.</summary>
    public Task<ScheduleDto> AddScheduleAsync(ScheduleRequest request, CancellationToken ct = default) =>
        SendAsync<ScheduleDto>(HttpMethod.Post, "api/v1/schedules", Json(request), ct);

    /// <summary>The schedules with their next runs.</summary>
    public Task<List<ScheduleDto>> SchedulesAsync(CancellationToken ct = default) =>
        SendAsync<List<ScheduleDto>>(HttpMethod.Get, "api/v1/schedules", null, ct);

    /// <summary>Removes a schedule.</summary>
    public Task<JsonElement> DeleteScheduleAsync(string name, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"api/v1/schedules/{Uri.EscapeDataString(name)}", null, ct);

    /// <summary>A POST to any path of the API (operator commands: reload, kill, priority, verbose, stop…), its answer as JSON.</summary>
    public Task<JsonElement> PostAsync(string path, object? body = null, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, path, body is null ? null : Json(body), ct);

    /// <summary>A GET of any path of the API, its answer as JSON.</summary>
    public Task<JsonElement> GetJsonAsync(string path, CancellationToken ct = default) => SendAsync<JsonElement>(HttpMethod.Get, path, null, ct);
}
