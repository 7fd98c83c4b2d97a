using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shoal.Contracts;
using Shoal.Server.Hosting;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Dashboard;

/// <summary>Signing in to the dashboard, and every action refused without a session or without its CSRF token.</summary>
public sealed class DashboardAuthTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private string AdminToken => StateFiles.EnsureAdminToken(Path.Combine(_server.Dir, ".shoal"));

    private HttpClient Browser() => new(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = _server.Http.BaseAddress };

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string? json = null, string? csrf = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }

        return client.SendAsync(request, Ct);
    }

    private async Task<string> SignInAsync(HttpClient browser)
    {
        var answer = await PostAsync(browser, "/dashboard/login", JsonSerializer.Serialize(new { token = AdminToken }));
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        answer.Headers.GetValues("Set-Cookie").Single().ShouldContain("httponly", Case.Insensitive);
        answer.Headers.GetValues("Set-Cookie").Single().ShouldContain("samesite=strict", Case.Insensitive);
        return (await answer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("csrf").GetString()!;
    }

    [Fact]
    public async Task Actions_WithoutSession_OrWithoutTheCsrfToken_AreRefused_AndDoNothing()
    {
        var created = await _server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"netscan","parts":["x","y"]}]}""");
        var (agent, _) = await _server.AgentClientAsync("a");
        (await agent.LeaseAsync("netscan")).Count.ShouldBe(1);
        var pause = $"/api/v1/streams/{created.Id}/pause";

        using var stranger = Browser();
        (await PostAsync(stranger, pause)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "no session");
        (await PostAsync(stranger, pause, csrf: "guess")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a CSRF token without a session is nothing");

        using var browser = Browser();
        var csrf = await SignInAsync(browser);
        var missing = await PostAsync(browser, pause);
        missing.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await missing.Content.ReadAsStringAsync(Ct)).ShouldContain("missing or wrong CSRF token");
        (await PostAsync(browser, pause, csrf: csrf[..^1] + (csrf[^1] == 'a' ? 'b' : 'a'))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync(browser, $"/api/v1/jobs/{created.Jobs["a"]}/force")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync(browser, $"/api/v1/jobs/{created.Jobs["a"]}/priority", """{"priority":5}""")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync(browser, "/api/v1/schedules/none/run-now")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await _server.StreamAsync(created.Id)).State.ShouldBe("running", "nothing refused had any effect");

        (await PostAsync(browser, pause, csrf: csrf)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _server.StreamAsync(created.Id)).State.ShouldBe("paused");
        (await browser.GetAsync($"/api/v1/streams/{created.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "reads need no CSRF token");

        (await PostAsync(browser, "/dashboard/logout")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "signing out needs the token too");
        (await PostAsync(browser, "/dashboard/logout", csrf: csrf)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await PostAsync(browser, $"/api/v1/streams/{created.Id}/resume", csrf: csrf)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the session is over");
    }

    [Theory]
    [InlineData("""{"token":"shoal_not-a-token"}""", HttpStatusCode.Unauthorized, "not a live admin token")]
    [InlineData("""{"token":""}""", HttpStatusCode.BadRequest, "'token' is required")]
    [InlineData("""{"nope":1}""", HttpStatusCode.BadRequest, "'nope' is not a field of the body")]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "'token' is required")]
    [InlineData("""{"token":""", HttpStatusCode.BadRequest, "malformed JSON")]
    public async Task SignIn_WithABadBody_OrNotAnAdminToken_IsRefused(string body, HttpStatusCode code, string expected)
    {
        using var browser = Browser();
        var answer = await PostAsync(browser, "/dashboard/login", body);
        answer.StatusCode.ShouldBe(code);
        (await answer.Content.ReadAsStringAsync(Ct)).ShouldContain(expected);
        answer.Headers.Contains("Set-Cookie").ShouldBeFalse();
    }

    [Fact]
    public async Task SignIn_WithAnAgentToken_IsRefused()
    {
        var (_, token) = await _server.AgentClientAsync("not-an-admin");
        using var browser = Browser();
        (await PostAsync(browser, "/dashboard/login", JsonSerializer.Serialize(new { token = token.Token }))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task NotPublic_ThePagesShowNoData_WithoutASession()
    {
        using var stranger = Browser();
        var page = await stranger.GetAsync("/", Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("script-src 'self'");
        (await stranger.GetAsync("/api/v1/streams", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await stranger.GetAsync("/api/v1/overview", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await stranger.GetFromJsonAsync<JsonElement>("/dashboard/session", Ct)).GetProperty("public").GetBoolean().ShouldBeFalse();
        (await stranger.GetAsync("/dashboard/secret.txt", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Public_PagesAreReadOnly_WithoutASession()
    {
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() }, extraSections: "[DASHBOARD]\npublic = yes\n");
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"netscan","parts":["x"]}]}""");
        using var stranger = new HttpClient { BaseAddress = server.Http.BaseAddress };
        (await stranger.GetAsync("/api/v1/streams", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await stranger.GetAsync($"/api/v1/streams/{created.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        // The overview is read once a second.
        (await Poll.UntilAsync(() => stranger.GetFromJsonAsync<OverviewDto>("/api/v1/overview", ShoalJson.Options, Ct), o => o!.Parts.Ready == 1, 10))!
            .Parts.Ready.ShouldBe(1, "the overview shows the ready part");

        (await stranger.GetAsync("/api/v1/tokens", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "only the dashboard's reads are public");
        (await stranger.GetAsync("/api/v1/db/stats", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await stranger.PostAsync($"/api/v1/streams/{created.Id}/cancel", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.StreamAsync(created.Id)).State.ShouldBe("queued");
    }

    [Fact]
    public async Task Events_StreamTheOverview_AsServerSentEvents()
    {
        using var browser = Browser();
        await SignInAsync(browser);
        using var response = await browser.GetAsync("/api/v1/events", HttpCompletionOption.ResponseHeadersRead, Ct);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        (await reader.ReadLineAsync(Ct)).ShouldBe("event: overview");
        var data = (await reader.ReadLineAsync(Ct))!;
        data.ShouldStartWith("data: ");
        JsonSerializer.Deserialize<OverviewDto>(data["data: ".Length..], ShoalJson.Options)!.Parts.ShouldNotBeNull();
    }
}
