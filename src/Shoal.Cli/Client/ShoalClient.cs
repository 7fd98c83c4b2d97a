using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Cli.Client;

/// <summary>The REST client the CLI uses. Errors become <see cref="CliException"/> with the server's message.</summary>
internal sealed class ShoalClient(HttpClient http) : IDisposable
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The client owns the HttpClient and disposes it.")]
    public static ShoalClient Create(string baseUrl, string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new ShoalClient(http);
    }

    public Task<SubmitResponse> SubmitAsync(string json, CancellationToken ct) =>
        SendAsync<SubmitResponse>(HttpMethod.Post, "api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"), ct);

    public Task<StreamCheckResponse> CheckAsync(string json, CancellationToken ct) =>
        SendAsync<StreamCheckResponse>(HttpMethod.Post, "api/v1/streams/check", new StringContent(json, Encoding.UTF8, "application/json"), ct);

    /// <summary>The newest streams first, filtered by state, a piece of the name and the owner (each optional).</summary>
    public Task<List<StreamSummaryDto>> ListAsync(CancellationToken ct, string? state = null, string? name = null, string? owner = null, int? limit = null)
    {
        var query = string.Join('&', new[] { ("state", state), ("name", name), ("owner", owner), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)) }
            .Where(q => q.Item2 is not null).Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2!)}"));
        return SendAsync<List<StreamSummaryDto>>(HttpMethod.Get, "api/v1/streams" + (query.Length == 0 ? "" : "?" + query), null, ct);
    }

    public Task<StreamDto> GetAsync(long id, CancellationToken ct) =>
        SendAsync<StreamDto>(HttpMethod.Get, $"api/v1/streams/{id}", null, ct);

    public Task<ControlResponse> ControlAsync(long id, string verb, CancellationToken ct) =>
        SendAsync<ControlResponse>(HttpMethod.Post, $"api/v1/streams/{id}/{verb}", null, ct);

    public Task<ControlResponse> JobControlAsync(long id, string verb, CancellationToken ct) =>
        SendAsync<ControlResponse>(HttpMethod.Post, $"api/v1/jobs/{id}/{verb}", null, ct);

    public Task<List<ServerDto>> ServersAsync(CancellationToken ct) =>
        SendAsync<List<ServerDto>>(HttpMethod.Get, "api/v1/servers", null, ct);

    public Task<AgentsResponse> AgentsAsync(CancellationToken ct) =>
        SendAsync<AgentsResponse>(HttpMethod.Get, "api/v1/agents", null, ct);

    public Task<TokenCreated> CreateTokenAsync(TokenCreateRequest request, CancellationToken ct) =>
        SendAsync<TokenCreated>(HttpMethod.Post, "api/v1/tokens", JsonContent.Create(request, options: ShoalJson.Options), ct);

    public Task<List<TokenDto>> TokensAsync(CancellationToken ct) =>
        SendAsync<List<TokenDto>>(HttpMethod.Get, "api/v1/tokens", null, ct);

    public Task<JsonElement> RevokeTokenAsync(long id, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"api/v1/tokens/{id}/revoke", null, ct);

    public Task<ControlResponse> ForceAsync(long job, CancellationToken ct) =>
        SendAsync<ControlResponse>(HttpMethod.Post, $"api/v1/jobs/{job}/force", null, ct);

    public Task<SweepStarted> StartSweepAsync(SweepRequest request, CancellationToken ct) =>
        SendAsync<SweepStarted>(HttpMethod.Post, "api/v1/sweeps", JsonContent.Create(request, options: ShoalJson.Options), ct);

    public Task<SweepStatus> SweepAsync(long id, bool hosts, CancellationToken ct) =>
        SendAsync<SweepStatus>(HttpMethod.Get, $"api/v1/sweeps/{id}{(hosts ? "?hosts=true" : "")}", null, ct);

    public Task<List<HostResultDto>> HostResultsAsync(string host, int limit, CancellationToken ct) =>
        SendAsync<List<HostResultDto>>(HttpMethod.Get, $"api/v1/hosts/{Uri.EscapeDataString(host)}/results?limit={limit}", null, ct);

    /// <summary>A POST whose answer is shown as it comes (operator commands).</summary>
    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, path, body is null ? null : JsonContent.Create(body, options: ShoalJson.Options), ct);

    public Task<ScheduleDto> AddScheduleAsync(ScheduleRequest request, CancellationToken ct) =>
        SendAsync<ScheduleDto>(HttpMethod.Post, "api/v1/schedules", JsonContent.Create(request, options: ShoalJson.Options), ct);

    public Task<List<ScheduleDto>> SchedulesAsync(CancellationToken ct) =>
        SendAsync<List<ScheduleDto>>(HttpMethod.Get, "api/v1/schedules", null, ct);

    public Task<JsonElement> DeleteScheduleAsync(string name, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"api/v1/schedules/{Uri.EscapeDataString(name)}", null, ct);

    /// <summary>A job's log from <paramref name="offset"/> on, and the offset to ask from next time.</summary>
    public async Task<(byte[] Bytes, long Next)> JobLogAsync(long job, long offset, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/jobs/{job}/log?offset={offset}");
        using var response = await SendCheckedAsync(request, ct).ConfigureAwait(false);
        var next = response.Headers.TryGetValues("X-Log-Offset", out var v) ? long.Parse(v.First(), System.Globalization.CultureInfo.InvariantCulture) : offset;
        return (await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), next);
    }

    public Task<JsonElement> GetJsonAsync(string path, CancellationToken ct) => SendAsync<JsonElement>(HttpMethod.Get, path, null, ct);

    public Task<JobDto> JobAsync(long job, CancellationToken ct) =>
        SendAsync<JobDto>(HttpMethod.Get, $"api/v1/jobs/{job}", null, ct);

    public Task<List<FailedPartDto>> FailedAsync(long job, int limit, CancellationToken ct) =>
        SendAsync<List<FailedPartDto>>(HttpMethod.Get, $"api/v1/jobs/{job}/failed?limit={limit}", null, ct);

    public Task<WhyResponse> WhyAsync(long job, CancellationToken ct) =>
        SendAsync<WhyResponse>(HttpMethod.Get, $"api/v1/jobs/{job}/why", null, ct);

    public void Dispose() => http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await SendCheckedAsync(request, ct).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(ShoalJson.Options, ct).ConfigureAwait(false))!;
    }

    /// <summary>Sends a request; an unreachable server or an error answer becomes a <see cref="CliException"/> with the server's message.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot reach the server at {http.BaseAddress}: {ex.Message}", 3);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var problem = await TryProblemAsync(response, ct).ConfigureAwait(false);
            throw new CliException($"{(int)response.StatusCode} {problem?.Title ?? response.ReasonPhrase}: {problem?.Detail}", 1) { Status = (int)response.StatusCode };
        }
    }

    private static async Task<ProblemDto?> TryProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<ProblemDto>(ShoalJson.Options, ct).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
