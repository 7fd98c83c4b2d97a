using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Server.Tests.Api;

/// <summary>Every malformed request gets a precise error, and the server keeps serving.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(
        new Dictionary<string, string> { ["scan"] = TestServer.NoopConf(), ["held"] = TestServer.NoopConf(0) },
        extraScheduler: "max_body_bytes = 4096\nmax_stream_bytes = 8192");

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/streams?limit=abc", "'limit' must be an integer, got 'abc'")]
    [InlineData("/api/v1/jobs/1/log?offset=xyz", "'offset' must be an integer, got 'xyz'")]
    [InlineData("/api/v1/sweeps/1?hosts=maybe", "'hosts' must be true or false, got 'maybe'")]
    public async Task AQueryValueOfTheWrongType_Is400_InTheAPIsOwnWords(string path, string expected)
    {
        var response = await _server.Http.GetAsync(path, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<ProblemDto>(ShoalJson.Options, Ct))!.Detail.ShouldBe(expected);
        await StillServes();
    }

    [Theory]
    [InlineData("{not json", "malformed JSON")]
    [InlineData("[]", "the stream must be a JSON object")]
    [InlineData("""{"jobs":[{"name":"a","type":"scan"}]}""", "'name' is required")]
    [InlineData("""{"name":"s","jobs":[]}""", "'jobs' must be a non-empty array")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"nosuch"}]}""", "job 'a': unknown agent type 'nosuch'")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"scan","depends_on":["b"]},{"name":"b","type":"scan","depends_on":["a"]}]}""", "dependency cycle: a -> b -> a")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"scan","depends_on":["ghost"]}]}""", "job 'a' depends on unknown job 'ghost'")]
    [InlineData("""{"name":"s","priority":"high","jobs":[{"name":"a","type":"scan"}]}""", "'priority' must be an integer")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"scan","parts":[1]}]}""", "job 'a': parts[0] must be a string or an object")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"scan"},{"name":"a","type":"scan"}]}""", "job 'a': the name is used twice")]
    [InlineData("""{"name":"s","prio":1,"jobs":[{"name":"a","type":"scan"}]}""", "'prio' is not a field of a stream (did you mean 'priority'?)")]
    [InlineData("""{"name":"s","jobs":[{"type":"scan","nmae":"a"}]}""", "jobs[0]: 'nmae' is not a field of a job (did you mean 'name'?)")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"scan","generate":{"range":"10.0.0.0/30","chunks":2}}]}""", "job 'a': 'chunks' is not a field of 'generate' (did you mean 'chunk'?)")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"scan","colour":"red"}]}""", "job 'a': 'colour' is not a field of a job (the fields of a job: name, type, parts, generate, depends_on, requires_tags, timeout, wait_for_lock)")]
    [InlineData("""{"name":"s","jobs":[{"name":"a","type":"scan","requires_tags":["gpu"],"parts":["x"]}]}""", "job 'a': 'requires_tags' selects pull agents by their tokens' tags; agent type 'scan' is spawned (its agents have no tags)")]
    public async Task Submit_Malformed_Is400_WithTheReason_AndTheServerCarriesOn(string body, string expected)
    {
        var response = await Post("/api/v1/streams", body);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDto>(ShoalJson.Options, Ct);
        problem!.Detail!.ShouldContain(expected);
        await StillServes();
    }

    [Fact]
    public async Task Submit_Oversized_Is413()
    {
        var big = """{"name":"s","jobs":[{"name":"a","type":"scan","parts":[""" + string.Join(",", Enumerable.Repeat("\"xxxxxxxxxx\"", 1000)) + "]}]}";
        var response = await Post("/api/v1/streams", big);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("the stream is larger than the limit of 8192 bytes ([SCHEDULER] max_stream_bytes)");
        await StillServes();
    }

    [Fact]
    public async Task Submit_OversizedChunkedBody_Is413()
    {
        var big = """{"name":"s","jobs":[{"name":"a","type":"scan","parts":[""" + string.Join(",", Enumerable.Repeat("\"xxxxxxxxxx\"", 1000)) + "]}]}";
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/streams") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await _server.Http.SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        await StillServes();
    }

    [Theory]
    [InlineData("/api/v1/streams/999999")]
    [InlineData("/api/v1/jobs/999999")]
    [InlineData("/api/v1/jobs/999999/why")]
    [InlineData("/api/v1/nothing-here")]
    public async Task UnknownIds_Are404(string path)
    {
        var response = await _server.Http.GetAsync(path, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await StillServes();
    }

    [Fact]
    public async Task UnknownStream_Control_Is404_AndNonNumericIdIs400()
    {
        (await Post("/api/v1/streams/424242/pause", "")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _server.Http.GetAsync("/api/v1/streams/abc", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await _server.Http.GetAsync("/api/v1/streams?state=sleeping", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MissingOrWrongToken_Is401()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Http.BaseAddress };
        (await anonymous.GetAsync("/api/v1/streams", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "shoal_wrong");
        (await anonymous.GetAsync("/api/v1/streams", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CancelTwice_Is409()
    {
        var created = await _server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"held","parts":["x"]}]}""");
        (await Post($"/api/v1/streams/{created.Id}/cancel", "")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = await Post($"/api/v1/streams/{created.Id}/cancel", "");
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync(Ct)).ShouldContain("cancelled");
    }

    private Task<HttpResponseMessage> Post(string path, string body) =>
        _server.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);

    private async Task StillServes()
    {
        var ok = await _server.SubmitAsync("""{"name":"after","jobs":[{"name":"a","type":"scan","parts":["p"]}]}""");
        ok.Id.ShouldBeGreaterThan(0);
    }
}
