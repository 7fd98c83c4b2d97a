using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Contracts;
using Shoal.Server.Broker;
using Shoal.Server.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Pull;

/// <summary>Tokens and roles, malformed requests, long-poll, force-run and tags on the pull API.</summary>
public sealed class PullApiTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(
        new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf(), ["other"] = PullCalls.PullConf(), ["spawned"] = TestServer.NoopConf(0) },
        extraScheduler: "max_body_bytes = 4096");

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheAdvertisedHeartbeat_IsShortEnoughForTheTypesLease()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["quick"] = PullCalls.PullConf(lease: 6), ["slow"] = PullCalls.PullConf(lease: 3600) });
        await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"quick","parts":["x"]},{"name":"b","type":"slow","parts":["y"]}]}""");
        var (agent, _) = await server.AgentClientAsync("beat");
        var parts = await agent.LeaseAsync("quick", max: 1);
        parts.Single().HeartbeatSeconds.ShouldBe(2, "a third of a 6 s lease (it was agent_lost_seconds / 4 = 30 s, past the lease's end)");
        (await agent.LeaseAsync("slow", max: 1)).Single().HeartbeatSeconds.ShouldBe(30, "a quarter of agent_lost_seconds (120 s) when the lease is longer");
    }

    [Fact]
    public async Task AgentTokens_MayLeaseAndReport_ButNothingElse()
    {
        var (agent, _) = await _server.AgentClientAsync("scanner");
        (await agent.PostJsonAsync("/api/v1/lease", """{"types":["netscan"]}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await agent.GetAsync("/api/v1/streams", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.PostJsonAsync("/api/v1/streams", """{"name":"x","jobs":[{"name":"a","type":"netscan"}]}""")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.PostJsonAsync("/api/v1/tokens", """{"role":"admin","name":"me"}""")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.GetAsync("/api/v1/agents", Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task MissingUnknownAndRevokedTokens_Are401()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Http.BaseAddress };
        (await anonymous.PostJsonAsync("/api/v1/lease", """{"types":["netscan"]}""")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "shoal_0000");
        (await anonymous.PostJsonAsync("/api/v1/lease", """{"types":["netscan"]}""")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var (agent, token) = await _server.AgentClientAsync("soon-gone");
        (await _server.Http.PostAsync($"/api/v1/tokens/{token.Id}/revoke", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await agent.PostJsonAsync("/api/v1/lease", """{"types":["netscan"]}""");
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("revoked token");
        (await _server.Http.PostAsync($"/api/v1/tokens/{token.Id}/revoke", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var list = await _server.Http.GetFromJsonAsync<List<TokenDto>>("/api/v1/tokens", ShoalJson.Options, Ct);
        list!.Single(t => t.Id == token.Id).RevokedAt.ShouldNotBeNull();
        (await _server.Http.GetStringAsync("/api/v1/tokens", Ct)).ShouldNotContain(token.Token, Case.Sensitive, "secrets are never listed");
    }

    [Theory]
    [InlineData("""{"types":[]}""", "'types' must be a non-empty array of agent type names")]
    [InlineData("""{"max":3}""", "'types' is required")]
    [InlineData("""{"types":["netscan"],"max":"3"}""", "'max' must be an integer")]
    [InlineData("""{"types":["netscan",7]}""", "'types[1]' must be a string")]
    [InlineData("""{"types":["netscan"],"types":["other"]}""", "'types' is given twice in one object")]
    [InlineData("""{"types":["nope"]}""", "'types': 'nope' is not a pull agent type (the pull types: netscan, other)")]
    [InlineData("""{"types":["netscna"]}""", "'types': 'netscna' is not a pull agent type (did you mean 'netscan'?)")]
    [InlineData("""{"types":["spawned"]}""", "'types': 'spawned' is not a pull agent type (its agents are spawned by the server, not pulled)")]
    [InlineData("", "'types' is required")]
    [InlineData("""{"types":["netscan"],"max":0}""", "'max' must be an integer from 1 to 1000")]
    [InlineData("""{"types":["netscan"],"wait_seconds":600}""", "'wait_seconds' must be a number from 0 to 60")]
    [InlineData("""{"types":["netscan"]""", "malformed JSON")]
    [InlineData("""[1,2]""", "the body must be a JSON object")]
    public async Task Lease_Malformed_Is400_NamingTheField(string body, string expected)
    {
        var (agent, _) = await _server.AgentClientAsync("picky");
        var response = await agent.PostJsonAsync("/api/v1/lease", body);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<ProblemDto>(ShoalJson.Options, Ct))!.Detail!.ShouldContain(expected);
    }

    [Fact]
    public async Task Report_Malformed_UnknownOrOversized_IsRefusedPrecisely()
    {
        var created = await _server.SubmitAsync("""{"name":"r","jobs":[{"name":"a","type":"netscan","parts":["x"]}]}""");
        var (agent, _) = await _server.AgentClientAsync("reporter");
        var part = (await agent.LeaseAsync("netscan")).Single();
        async Task Expect(HttpResponseMessage r, HttpStatusCode code, string text)
        {
            r.StatusCode.ShouldBe(code);
            (await r.Content.ReadAsStringAsync(Ct)).ShouldContain(text);
        }

        await Expect(await agent.PostJsonAsync($"/api/v1/parts/{part.PartId}/complete", """{"status":"ok"}"""), HttpStatusCode.BadRequest, "'lease_id' is required");
        await Expect(await agent.PostJsonAsync($"/api/v1/parts/{part.PartId}/complete", $$"""{"lease_id":{{part.LeaseId}},"status":"fine"}"""), HttpStatusCode.BadRequest, "'status' must be");
        await Expect(await agent.PostJsonAsync($"/api/v1/parts/{part.PartId}/complete", $$$"""{"lease_id":{{{part.LeaseId}}},"status":"ok","result":{"items":[1]}}"""), HttpStatusCode.BadRequest, "'result.items' must be an array of strings");
        await Expect(await agent.PostJsonAsync("/api/v1/parts/987654/complete", """{"lease_id":5,"status":"ok"}"""), HttpStatusCode.NotFound, "no part 987654");
        await Expect(await agent.PostJsonAsync("/api/v1/parts/987654/heartbeat", """{"lease_id":5}"""), HttpStatusCode.NotFound, "no part 987654");
        await Expect(await agent.PostJsonAsync("/api/v1/parts/abc/complete", """{"lease_id":5,"status":"ok"}"""), HttpStatusCode.BadRequest, "part id 'abc' is not a number");
        var big = $$"""{"lease_id":{{part.LeaseId}},"status":"ok","log":"{{new string('x', 8000)}}"}""";
        await Expect(await agent.PostJsonAsync($"/api/v1/parts/{part.PartId}/complete", big), HttpStatusCode.RequestEntityTooLarge, "max_body_bytes");
        (await agent.ReportOkAsync(part)).Accepted.ShouldBeTrue("the server carried on");
        (await _server.StreamAsync(created.Id)).State.ShouldBe("completed");
    }

    [Fact]
    public async Task LongPoll_WakesAsSoonAsWorkIsSubmitted()
    {
        var (agent, _) = await _server.AgentClientAsync("waiter");
        var signal = _server.App.Services.GetRequiredService<WorkSignal>();
        var poll = agent.LeaseAsync("other", max: 5, wait: 20);
        await Poll.UntilAsync(() => Task.FromResult(signal.Waiting), n => n == 1, 10);
        poll.IsCompleted.ShouldBeFalse("nothing to do yet: the request waits");
        await _server.SubmitAsync("""{"name":"late","jobs":[{"name":"a","type":"other","parts":["w1","w2"]}]}""");
        var submitted = Stopwatch.StartNew();
        var parts = await poll;
        submitted.Stop();
        parts.Count.ShouldBe(2);
        submitted.ElapsedMilliseconds.ShouldBeLessThan(2000, "woken by the submit, not by the 20 s wait running out");
        TestContext.Current.SendDiagnosticMessage($"long-poll woke {submitted.ElapsedMilliseconds} ms after the submit returned");
    }

    [Fact]
    public async Task LongPoll_OneNewPart_WakesAFewOfManyIdleAgents_NotAll()
    {
        const int idle = 40;
        var signal = _server.App.Services.GetRequiredService<Shoal.Server.Broker.WorkSignal>();
        var metrics = _server.App.Services.GetRequiredService<Shoal.Server.Metrics.ShoalMetrics>();
        var (agent, _) = await _server.AgentClientAsync("herd");
        var polls = Enumerable.Range(0, idle).Select(_ => agent.LeaseAsync("other", wait: 20)).ToList();
        await Poll.UntilAsync(() => Task.FromResult(signal.Waiting), n => n == idle, seconds: 20);
        // Lease statements, as the server's meter records them.
        long statements = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument == metrics.LeaseSeconds)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref statements));
        listener.Start();

        await _server.SubmitAsync("""{"name":"one","jobs":[{"name":"a","type":"other","parts":["only"]}]}""");
        var winner = await Task.WhenAny(polls).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        (await winner).Select(p => p.Payload.GetString()).ShouldBe(["only"]);
        // The woken ones that found nothing are back in the queue: every other request is waiting again.
        await Poll.UntilAsync(() => Task.FromResult(signal.Waiting), n => n == idle - 1, 10);

        polls.Count(p => p.IsCompleted).ShouldBe(1, "the others keep waiting");
        TestContext.Current.SendDiagnosticMessage($"one part for {idle} idle long polls: {statements} lease attempts");
        statements.ShouldBeLessThanOrEqualTo(WorkSignal.FirstWake + 2, "a submit wakes a few waiters, not every one of them");
    }

    [Fact]
    public async Task LongPoll_ABigSubmit_ReachesEveryIdleAgent()
    {
        const int idle = 30;
        var signal = _server.App.Services.GetRequiredService<Shoal.Server.Broker.WorkSignal>();
        var (agent, _) = await _server.AgentClientAsync("crowd");
        var polls = Enumerable.Range(0, idle).Select(_ => agent.LeaseAsync("other", wait: 20)).ToList();
        await Poll.UntilAsync(() => Task.FromResult(signal.Waiting), n => n == idle, seconds: 20);
        var parts = string.Join(',', Enumerable.Range(0, idle).Select(i => $"\"p{i}\""));

        var watch = Stopwatch.StartNew();
        await _server.SubmitAsync($$"""{"name":"many","jobs":[{"name":"a","type":"other","parts":[{{parts}}]}]}""");
        var leased = await Task.WhenAll(polls).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        leased.ShouldAllBe(l => l.Count == 1, "every idle agent got one part: the wake chain reached all of them");
        leased.Select(l => l[0].Payload.GetString()).Distinct().Count().ShouldBe(idle);
        TestContext.Current.SendDiagnosticMessage($"{idle} idle long polls all served {watch.ElapsedMilliseconds} ms after the submit");
    }

    [Fact]
    public async Task LongPoll_IsAnsweredAtOnce_WhenTheServerStops()
    {
        var signal = _server.App.Services.GetRequiredService<WorkSignal>();
        var (agent, _) = await _server.AgentClientAsync("leaving");
        var poll = agent.LeaseAsync("other", wait: 50);
        await Poll.UntilAsync(() => Task.FromResult(signal.Waiting), n => n == 1, seconds: 20);

        var watch = Stopwatch.StartNew();
        _server.App.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().StopApplication();
        (await poll.WaitAsync(TimeSpan.FromSeconds(10), Ct)).ShouldBeEmpty();
        watch.ElapsedMilliseconds.ShouldBeLessThan(5000, "shutdown does not wait for the 50 s long poll");
    }

    [Fact]
    public async Task LongPoll_WithNothingToDo_AnswersAnEmptyListWhenTheWaitRunsOut()
    {
        var (agent, _) = await _server.AgentClientAsync("patient");
        var watch = Stopwatch.StartNew();
        (await agent.LeaseAsync("other", wait: 0.5)).ShouldBeEmpty();
        watch.ElapsedMilliseconds.ShouldBeGreaterThanOrEqualTo(400);
    }

    [Fact]
    public async Task Force_PutsTheJobOnTop_AndWakesWaitingAgents()
    {
        var low = await _server.SubmitAsync("""{"name":"low","priority":-3,"jobs":[{"name":"a","type":"netscan","parts":["l1","l2"]}]}""");
        await _server.SubmitAsync("""{"name":"high","priority":7,"jobs":[{"name":"a","type":"netscan","parts":["h1","h2"]}]}""");
        (await _server.Http.PostAsync($"/api/v1/jobs/{low.Jobs["a"]}/force", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var (agent, _) = await _server.AgentClientAsync("forced");
        var parts = await agent.LeaseAsync("netscan", max: 2);
        parts.Select(p => p.Payload.GetString()).ShouldBe(["l1", "l2"]);
        (await _server.Http.PostAsync("/api/v1/jobs/99999/force", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Tags_RouteJobsToAgentsThatHaveThemAll()
    {
        await _server.SubmitAsync("""{"name":"t","jobs":[{"name":"dmz","type":"other","requires_tags":["dmz"],"parts":["d1"]},{"name":"any","type":"other","parts":["o1"]}]}""");
        var (plain, _) = await _server.AgentClientAsync("plain");
        var (dmz, _) = await _server.AgentClientAsync("inside", "dmz", "net-a");
        (await plain.LeaseAsync("other", max: 5)).Select(p => p.Payload.GetString()).ShouldBe(["o1"]);
        (await dmz.LeaseAsync("other", max: 5)).Select(p => p.Payload.GetString()).ShouldBe(["d1"]);
    }

    [Fact]
    public async Task ObjectPayloads_ComeBackAsObjects_AndResultItemsFeedGeneratedJobs()
    {
        var created = await _server.SubmitAsync("""
            {"name":"fwd","jobs":[
              {"name":"list","type":"other","parts":[{"key":"0a","dir":"/srv"}]},
              {"name":"each","type":"netscan","generate":{"from":"list"}}]}
            """);
        var (agent, _) = await _server.AgentClientAsync("lister");
        var part = (await agent.LeaseAsync("other")).Single();
        part.Payload.GetProperty("dir").GetString().ShouldBe("/srv");
        (await agent.ReportAsync(part, result: """{"items":["/srv/a","/srv/b"]}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var each = await agent.LeaseAsync("netscan", max: 5);
        each.Where(p => p.JobId == created.Jobs["each"]).Select(p => p.Payload.GetString()).ShouldBe(["/srv/a", "/srv/b"]);
    }

    [Fact]
    public async Task Heartbeat_CarriesTheVerbositySetForTheJob()
    {
        var created = await _server.SubmitAsync("""{"name":"v","jobs":[{"name":"a","type":"other","parts":["x"]}]}""");
        var (agent, _) = await _server.AgentClientAsync("chatty");
        var part = (await agent.LeaseAsync("other")).Single();
        (await agent.HeartbeatAsync(part)).Verbose.ShouldBe(0);
        (await _server.Http.PostAsJsonAsync("/api/v1/verbose", new { level = 5, job = created.Jobs["a"] }, ShoalJson.Options, Ct)).EnsureSuccessStatusCode();
        (await agent.HeartbeatAsync(part)).Verbose.ShouldBe(5);
    }

    [Fact]
    public async Task BodiesAreJson_WhateverContentTypeTheClientSays_AsCurlDashDSends()
    {
        // curl -d sends application/x-www-form-urlencoded: the docs' examples must work as pasted.
        static StringContent Form(string body) => new(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        var submitted = await _server.Http.PostAsync("/api/v1/streams", Form("""{"name":"curl","jobs":[{"name":"a","type":"other","parts":["x"]}]}"""), Ct);
        submitted.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync(Ct));
        (await _server.Http.PostAsync("/api/v1/streams/check", Form("""{"name":"curl","jobs":[{"name":"a","type":"other"}]}"""), Ct)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        var (agent, _) = await _server.AgentClientAsync("curler");
        var leased = await agent.PostAsync("/api/v1/lease", Form("""{"types":["other"],"max":1}"""), Ct);
        leased.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await leased.Content.ReadAsStringAsync(Ct));
        (await agent.PostAsync("/api/v1/lease", null, Ct)).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest, "no body is a bad request, not a missing route");
    }

    [Fact]
    public async Task OpenApiDocument_IsServed()
    {
        var doc = await _server.Http.GetStringAsync("/openapi/v1.json", Ct);
        doc.ShouldContain("/api/v1/lease");
        doc.ShouldContain("/api/v1/streams");

        // The true status codes, with schemas named as the API names its fields.
        using var json = System.Text.Json.JsonDocument.Parse(doc);
        var paths = json.RootElement.GetProperty("paths");
        var submit = paths.GetProperty("/api/v1/streams").GetProperty("post").GetProperty("responses");
        submit.TryGetProperty("200", out _).ShouldBeFalse("a submit answers 201");
        submit.GetProperty("201").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString().ShouldEndWith("/SubmitResponse");
        submit.TryGetProperty("400", out _).ShouldBeTrue();
        submit.TryGetProperty("413", out _).ShouldBeTrue();
        var schemas = json.RootElement.GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("StreamDto").GetProperty("properties").TryGetProperty("created_at", out _).ShouldBeTrue("snake_case, as the API answers");
        paths.GetProperty("/api/v1/streams/{id}").GetProperty("get").GetProperty("responses").TryGetProperty("404", out _).ShouldBeTrue();
        submit.TryGetProperty("401", out _).ShouldBeTrue("every /api/v1 route says what a missing token gets");
        submit.TryGetProperty("403", out _).ShouldBeTrue();
        paths.GetProperty("/api/v1/tokens").GetProperty("post").GetProperty("responses").TryGetProperty("201", out _).ShouldBeTrue();
        schemas.GetProperty("SubmitResponse").GetProperty("properties").GetProperty("id").GetProperty("type").ToString().ShouldNotContain("string", Case.Sensitive, "an id is a number, not a number or a string");

        // What each route takes, from the Contracts records (the names the API reads).
        System.Text.Json.JsonElement Body(string path) => paths.GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var stream = Body("/api/v1/streams");
        stream.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ShouldBe(["name", "jobs"], ignoreOrder: true);
        var job = stream.GetProperty("properties").GetProperty("jobs").GetProperty("items").ToString();
        job.ShouldContain("\"depends_on\"", Case.Sensitive, "snake_case, as the server reads it");
        job.ShouldContain("\"requires_tags\"");
        Body("/api/v1/streams/check").GetProperty("required").GetArrayLength().ShouldBe(2);
        Body("/api/v1/lease").GetProperty("properties").TryGetProperty("types", out _).ShouldBeTrue();
        Body("/api/v1/reports").GetProperty("properties").TryGetProperty("reports", out _).ShouldBeTrue();
        Body("/api/v1/tokens").GetProperty("properties").TryGetProperty("role", out _).ShouldBeTrue();
        Body("/api/v1/sweeps").GetProperty("properties").TryGetProperty("hosts", out _).ShouldBeTrue();
        Body("/api/v1/jobs/{id}/priority").GetProperty("required").EnumerateArray().Select(e => e.GetString()).ShouldBe(["priority"]);
        Body("/api/v1/verbose").GetProperty("properties").TryGetProperty("level", out _).ShouldBeTrue();
        Body("/api/v1/jobs/{id}/kill").GetProperty("properties").TryGetProperty("message", out _).ShouldBeTrue();

        // The stream's schema is the record's: a field the record does not have is not allowed (the server refuses it).
        stream.GetProperty("properties").TryGetProperty("$schema", out _).ShouldBeTrue();
    }
}
