using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>The REST client of a pull agent: lease parts (long-poll), heartbeat, report.</summary>
public sealed class PullAgentClient : IDisposable
{
    private readonly HttpClient _http;

    public PullAgentClient(Uri server, string token, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = new Uri(server.ToString().TrimEnd('/') + "/");
        _http.Timeout = TimeSpan.FromSeconds(PullLimits.MaxWaitSeconds + 30);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
    }

    /// <summary>Up to <paramref name="max"/> parts of <paramref name="types"/>, waiting up to <paramref name="wait"/> for work.</summary>
    public Task<IReadOnlyList<LeasedPartDto>> LeaseAsync(IReadOnlyList<string> types, int max, TimeSpan wait, CancellationToken ct) =>
        LeaseAsync(types, max, wait, null, ct);

    /// <summary>As <see cref="LeaseAsync(IReadOnlyList{string}, int, TimeSpan, CancellationToken)"/>, for a sweep collector of <paramref name="zone"/>.</summary>
    public async Task<IReadOnlyList<LeasedPartDto>> LeaseAsync(IReadOnlyList<string> types, int max, TimeSpan wait, string? zone, CancellationToken ct)
    {
        var body = new LeaseRequestDto(types, max, Math.Min(wait.TotalSeconds, PullLimits.MaxWaitSeconds), zone);
        return (await PostAsync<LeaseResponse>("api/v1/lease", body, ct).ConfigureAwait(false)).Parts;
    }

    public Task<HeartbeatResponse> HeartbeatAsync(long partId, long leaseId, CancellationToken ct) =>
        PostAsync<HeartbeatResponse>($"api/v1/parts/{partId}/heartbeat", new HeartbeatRequest(leaseId), ct);

    /// <summary>Reports one part; <paramref name="traceparent"/> is the lease's (<see cref="LeasedPartDto.Traceparent"/>).</summary>
    public Task<CompleteResponse> CompleteAsync(long partId, long leaseId, bool ok, JsonElement? result, string? log, CancellationToken ct, string? traceparent = null) =>
        PostAsync<CompleteResponse>($"api/v1/parts/{partId}/complete", new CompleteRequest(leaseId, ok ? "ok" : "failed", result, log, traceparent), ct);

    /// <summary>Reports many parts in one request (all or nothing on a malformed, forged or unknown entry).</summary>
    public async Task<IReadOnlyList<ReportResult>> ReportAsync(IReadOnlyList<PartReportDto> reports, CancellationToken ct) =>
        (await PostAsync<ReportsResponse>("api/v1/reports", new ReportsRequest(reports), ct).ConfigureAwait(false)).Results;

    public void Dispose() => _http.Dispose();

    private async Task<T> PostAsync<T>(string path, object body, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync(path, body, ShoalJson.Options, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new PullAgentException((int)response.StatusCode, $"{(int)response.StatusCode} {response.ReasonPhrase}: {text}");
        }

        return (await response.Content.ReadFromJsonAsync<T>(ShoalJson.Options, ct).ConfigureAwait(false))!;
    }
}

/// <summary>The server refused a pull agent's request; <see cref="Status"/> is the HTTP status.</summary>
public sealed class PullAgentException : Exception
{
    public PullAgentException(int status, string message)
        : base(message) => Status = status;

    public PullAgentException()
    {
    }

    public PullAgentException(string message)
        : base(message)
    {
    }

    public PullAgentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Status { get; }

    /// <summary>4xx other than 408/429: retrying the same request will not help.</summary>
    public bool IsPermanent => Status is >= 400 and < 500 and not 408 and not 429;
}

/// <summary>Limits the server enforces on pull requests.</summary>
public static class PullLimits
{
    public const double MaxWaitSeconds = 60;
}
