using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Client;

/// <summary>
/// Shoal's REST API (<c>/api/v1</c>, docs/rest-api.md) for .NET code: submit streams built with
/// <see cref="StreamBuilder"/>, follow them, control them. Errors are <see cref="ShoalApiException"/> (the server said
/// no) and <see cref="ShoalConnectionException"/> (no server answered). Made by <see cref="Create"/>, or by
/// dependency injection (<c>services.AddShoalClient</c>), where the <see cref="HttpClient"/> comes from
/// <see cref="IHttpClientFactory"/>.
/// </summary>
public sealed partial class ShoalClient : IDisposable
{
    private static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(500);
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly bool _ownsHttp;

    /// <summary>A client over an <see cref="HttpClient"/> whose base address and bearer token are set already.</summary>
    public ShoalClient(HttpClient http, TimeProvider? time = null)
        : this(http, time, ownsHttp: false)
    {
    }

    private ShoalClient(HttpClient http, TimeProvider? time, bool ownsHttp)
    {
        _http = http;
        _time = time ?? TimeProvider.System;
        _ownsHttp = ownsHttp;
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:25890/</c>.</summary>
    public Uri? BaseAddress => _http.BaseAddress;

    /// <summary>A client of its own connection pool for the server at <paramref name="baseUrl"/> with <paramref name="token"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The client owns the HttpClient and disposes it.")]
    public static ShoalClient Create(string baseUrl, string token, TimeSpan? timeout = null)
    {
        var http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        Configure(http, new Uri(baseUrl.TrimEnd('/') + "/"), token);
        return new ShoalClient(http, null, ownsHttp: true);
    }

    /// <summary>Points <paramref name="http"/> at a server and sends <paramref name="token"/> with every request.</summary>
    public static void Configure(HttpClient http, Uri baseAddress, string token)
    {
        http.BaseAddress = baseAddress;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Submits a stream; the answer has its id and each job's id by name.</summary>
    public Task<SubmitResponse> SubmitAsync(StreamRequest stream, CancellationToken ct = default) =>
        SubmitAsync(JsonSerializer.Serialize(stream, ShoalJson.Options), ct);

    /// <summary>Submits a stream written as JSON (docs/streams.md).</summary>
    /// <remarks>Text that is NDJSON (the stream on its first line, then lines of parts) goes as NDJSON.</remarks>
    public Task<SubmitResponse> SubmitAsync(string json, CancellationToken ct = default) =>
        SendAsync<SubmitResponse>(HttpMethod.Post, "api/v1/streams", StreamBody.Of(json), ct);

    /// <summary>Checks a stream as a submit would, creating nothing: what it would create, or a 400 saying why not.</summary>
    public Task<StreamCheckResponse> CheckAsync(StreamRequest stream, CancellationToken ct = default) =>
        CheckAsync(JsonSerializer.Serialize(stream, ShoalJson.Options), ct);

    /// <summary>Checks a stream written as JSON.</summary>
    public Task<StreamCheckResponse> CheckAsync(string json, CancellationToken ct = default) =>
        SendAsync<StreamCheckResponse>(HttpMethod.Post, "api/v1/streams/check", StreamBody.Of(json), ct);

    /// <summary>The newest streams first, filtered by state, a piece of the name and the owner (each optional).</summary>
    public Task<List<StreamSummaryDto>> ListStreamsAsync(string? state = null, string? name = null, string? owner = null, int? limit = null, CancellationToken ct = default)
    {
        var query = string.Join('&', new[] { ("state", state), ("name", name), ("owner", owner), ("limit", limit?.ToString(CultureInfo.InvariantCulture)) }
            .Where(q => q.Item2 is not null).Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2!)}"));
        return SendAsync<List<StreamSummaryDto>>(HttpMethod.Get, "api/v1/streams" + (query.Length == 0 ? "" : "?" + query), null, ct);
    }

    /// <summary>A stream with its jobs and their part counts.</summary>
    public Task<StreamDto> GetStreamAsync(long id, CancellationToken ct = default) =>
        SendAsync<StreamDto>(HttpMethod.Get, $"api/v1/streams/{id}", null, ct);

    /// <summary>A job, with why it is not progressing.</summary>
    public Task<JobDto> GetJobAsync(long id, CancellationToken ct = default) =>
        SendAsync<JobDto>(HttpMethod.Get, $"api/v1/jobs/{id}", null, ct);

    /// <summary>Why a job is not progressing, most important reason first.</summary>
    public Task<WhyResponse> WhyAsync(long job, CancellationToken ct = default) =>
        SendAsync<WhyResponse>(HttpMethod.Get, $"api/v1/jobs/{job}/why", null, ct);

    /// <summary>A job's failed parts: payload, attempts, the agent's last words, the host.</summary>
    public Task<List<FailedPartDto>> FailedPartsAsync(long job, int limit = 100, CancellationToken ct = default) =>
        SendAsync<List<FailedPartDto>>(HttpMethod.Get, $"api/v1/jobs/{job}/failed?limit={limit}", null, ct);

    /// <summary>Pauses, resumes, cancels or requeues (its failed parts and jobs) a stream; answers its state after.</summary>
    public Task<ControlResponse> ControlStreamAsync(long id, StreamAction action, CancellationToken ct = default) =>
        SendAsync<ControlResponse>(HttpMethod.Post, $"api/v1/streams/{id}/{action.ToString().ToLowerInvariant()}", null, ct);

    /// <summary>Pauses, resumes, cancels, requeues or forces (past limits and priorities) one job.</summary>
    public Task<ControlResponse> ControlJobAsync(long id, JobAction action, CancellationToken ct = default) =>
        SendAsync<ControlResponse>(HttpMethod.Post, $"api/v1/jobs/{id}/{action.ToString().ToLowerInvariant()}", null, ct);

    /// <summary>
    /// The stream as it goes, every <paramref name="every"/> (default half a second): each poll's answer, the last one
    /// when it has ended (completed, failed or cancelled).
    /// </summary>
    public async IAsyncEnumerable<StreamDto> WatchAsync(long id, TimeSpan? every = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            var stream = await GetStreamAsync(id, ct).ConfigureAwait(false);
            yield return stream;
            if (IsEnded(stream.State))
            {
                yield break;
            }

            await Task.Delay(every ?? DefaultEvery, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the stream to end and answers it as it ended.</summary>
    public async Task<StreamDto> WaitAsync(long id, TimeSpan? every = null, CancellationToken ct = default)
    {
        StreamDto? last = null;
        await foreach (var stream in WatchAsync(id, every, ct).ConfigureAwait(false))
        {
            last = stream;
        }

        return last!;
    }

    /// <summary>Whether a stream or job in <paramref name="state"/> is over.</summary>
    public static bool IsEnded(string state) => state is "completed" or "failed" or "cancelled";

    /// <summary>A job's log from <paramref name="offset"/> on, and the offset to ask from next time.</summary>
    public async Task<(byte[] Bytes, long Next)> JobLogAsync(long job, long offset, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/jobs/{job}/log?offset={offset}");
        using var response = await SendCheckedAsync(request, ct).ConfigureAwait(false);
        var next = response.Headers.TryGetValues("X-Log-Offset", out var v) ? long.Parse(v.First(), CultureInfo.InvariantCulture) : offset;
        return (await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false), next);
    }

    /// <summary>Disposes the connection pool of a client made by <see cref="Create"/>; one from dependency injection has none of its own.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static JsonContent Json<T>(T body) => JsonContent.Create(body, options: ShoalJson.Options);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await SendCheckedAsync(request, ct).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(ShoalJson.Options, ct).ConfigureAwait(false))!;
    }

    /// <summary>Sends a request; an unreachable server or an error answer becomes an exception with the server's message.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ShoalConnectionException($"cannot reach the server at {_http.BaseAddress}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new ShoalConnectionException($"the server at {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var problem = await TryProblemAsync(response, ct).ConfigureAwait(false);
            throw new ShoalApiException((int)response.StatusCode, response.ReasonPhrase, problem);
        }
    }

    private static async Task<ProblemDto?> TryProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<ProblemDto>(ShoalJson.Options, ct).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What <see cref="ShoalClient.ControlStreamAsync"/> does to a stream.</summary>
public enum StreamAction
{
    /// <summary>Stops leasing its parts; running agents are suspended.</summary>
    Pause,
    /// <summary>Undoes a pause.</summary>
    Resume,
    /// <summary>Stops it for good; its agents are stopped.</summary>
    Cancel,
    /// <summary>Gives failed parts fresh tries and re-opens failed jobs (with the dependents their failure cancelled).</summary>
    Requeue,
}

/// <summary>What <see cref="ShoalClient.ControlJobAsync"/> does to a job.</summary>
public enum JobAction
{
    /// <summary>Stops leasing its parts; running agents are suspended.</summary>
    Pause,
    /// <summary>Undoes a pause.</summary>
    Resume,
    /// <summary>Stops it for good; its agents are stopped.</summary>
    Cancel,
    /// <summary>Gives failed parts fresh tries and re-opens failed jobs (with the dependents their failure cancelled).</summary>
    Requeue,
    /// <summary>Runs it now, past limits and priorities.</summary>
    Force,
}
