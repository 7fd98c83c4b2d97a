using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Server.Tests.Schedules;

/// <summary>Recurring schedules on a <see cref="FakeTimeProvider"/>: interval firing, no overlap, run-now, pause, misfire at start.</summary>
public sealed class ScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Agents() => new() { ["held"] = TestServer.NoopConf(0), ["scan"] = TestServer.NoopConf(2) };

    [Fact]
    public async Task Interval_FiresOnTime_NeverOverlaps_RunNowAndPauseWork()
    {
        var clock = new FakeTimeProvider(T0);
        await using var server = await TestServer.StartAsync(Agents(), time: clock);
        var added = await Add(server, new { name = "hourly", every = "1h", stream = new { name = "held-run", jobs = new[] { new { name = "a", type = "held" } } } });
        added.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await added.Content.ReadFromJsonAsync<ScheduleDto>(ShoalJson.Options, Ct))!.NextRun.ShouldBe(T0.AddHours(1));
        (await Add(server, new { name = "hourly", every = "1h", stream = new { name = "x", jobs = new[] { new { name = "a", type = "held" } } } })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        clock.Advance(TimeSpan.FromMinutes(59));
        (await Streams(server, "held-run")).ShouldBe(0);
        clock.Advance(TimeSpan.FromMinutes(1.5));
        (await Poll.UntilAsync(() => Streams(server, "held-run"), n => n == 1, 10)).ShouldBe(1);

        // The first run is still live (its type is held): the next one is skipped, not stacked.
        clock.Advance(TimeSpan.FromHours(1));
        (await Poll.UntilAsync(() => SchedulesAsync(server), l => l.Single().NextRun > clock.GetUtcNow(), 10)).Single().NextRun.ShouldBeGreaterThan(clock.GetUtcNow());
        (await Streams(server, "held-run")).ShouldBe(1, "the run was looked at (its next run moved on) and skipped");

        (await server.PostAsync("/api/v1/schedules/hourly/pause")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await server.PostAsync("/api/v1/schedules/hourly/run-now");
        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict, "nothing was run: it says so");
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("schedule 'hourly' not run: its last run, stream 1, is still queued (the schedule does not overlap runs)");
        (await Streams(server, "held-run")).ShouldBe(1, "run-now respects the running stream too");
        (await server.PostAsync("/api/v1/schedules/nope/run-now")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await server.Http.DeleteAsync("/api/v1/schedules/hourly", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WithOverlap_EveryFiringStartsAStream()
    {
        var clock = new FakeTimeProvider(T0);
        await using var server = await TestServer.StartAsync(Agents(), time: clock);
        (await Add(server, new { name = "often", every = "30m", overlap = true, stream = new { name = "stacked", jobs = new[] { new { name = "a", type = "held" } } } })).StatusCode.ShouldBe(HttpStatusCode.Created);
        for (var i = 1; i <= 3; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(30.5));
            (await Poll.UntilAsync(() => Streams(server, "stacked"), n => n == i, 10)).ShouldBe(i);
        }
    }

    [Fact]
    public async Task MisfireAtStart_OnceRunsOnce_SkipRunsNone()
    {
        var clock = new FakeTimeProvider(T0);
        var server = await TestServer.StartAsync(Agents(), time: clock);
        var dir = server.Dir;
        var stream = new { name = "", jobs = new[] { new { name = "a", type = "scan", parts = new[] { "x" } } } };
        (await Add(server, new { name = "catch-up", every = "1h", misfire = "once", stream = stream with { name = "catch-up-run" } })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Add(server, new { name = "no-catch-up", every = "1h", misfire = "skip", stream = stream with { name = "skip-run" } })).StatusCode.ShouldBe(HttpStatusCode.Created);
        await server.StopKeepingStateAsync();

        // The server was down for five hours.
        var later = new FakeTimeProvider(T0.AddHours(5));
        await using var again = await TestServer.StartAsync(Agents(), time: later, reuseDir: dir);
        // Every schedule was looked at once the next runs have moved on (a run is recorded after its stream is stored).
        var next = await Poll.UntilAsync(() => SchedulesAsync(again), l => l.All(s => s.NextRun == T0.AddHours(6)), 10);
        next.ShouldAllBe(s => s.NextRun == T0.AddHours(6));
        (await Streams(again, "catch-up-run")).ShouldBe(1, "five missed runs make one");
        (await Streams(again, "skip-run")).ShouldBe(0);
    }

    [Fact]
    public async Task Cron_FiresAtTheTimeItNames_AndASweepCanBeScheduled()
    {
        var clock = new FakeTimeProvider(T0.AddMinutes(30));
        await using var server = await TestServer.StartAsync(Agents(), time: clock);
        var sweep = new SweepRequest("sweep", [new SweepHostDto("h1", true), new SweepHostDto("h2", false)], ["/bin/true", "{host}"], Threads: 2, FreshWithinSeconds: 0);
        var added = await Add(server, new { name = "hourly-sweep", cron = "0 * * * *", sweep });
        added.StatusCode.ShouldBe(HttpStatusCode.Created, await added.Content.ReadAsStringAsync(Ct));
        (await added.Content.ReadFromJsonAsync<ScheduleDto>(ShoalJson.Options, Ct))!.NextRun.ShouldBe(T0.AddHours(1));
        (await Add(server, new { name = "bad-sweep", every = "1h", sweep = sweep with { Command = [] } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        clock.Advance(TimeSpan.FromMinutes(29));
        var listed = await server.Http.GetFromJsonAsync<List<ScheduleDto>>("/api/v1/schedules", ShoalJson.Options, Ct);
        listed!.Single().LastStream.ShouldBeNull("09:00 has not come yet");
        clock.Advance(TimeSpan.FromMinutes(1.5));
        listed = await Poll.UntilAsync(() => server.Http.GetFromJsonAsync<List<ScheduleDto>>("/api/v1/schedules", ShoalJson.Options, Ct)!, l => l!.Single().LastStream is not null, 10);
        var id = listed!.Single().LastStream!.Value;
        var status = await Poll.UntilAsync(() => server.Http.GetFromJsonAsync<SweepStatus>($"/api/v1/sweeps/{id}", ShoalJson.Options, Ct)!, st => st!.State == "completed", 30);
        status!.Success.ShouldBe(2);
        listed!.Single().NextRun.ShouldBe(T0.AddHours(2));
    }

    [Theory]
    [InlineData("""{"name":"x","cron":"0 2 * * *","every":"1h","stream":{}}""", "give exactly one of 'cron' (an expression")]
    [InlineData("""{"name":"x","cron":"0 2 * *","stream":{}}""", "cron '0 2 * *'")]
    [InlineData("""{"name":"x","every":"1h"}""", "'stream' (the job stream it submits, docs/streams.md) or 'sweep' (the body of POST /api/v1/sweeps) is required")]
    [InlineData("""{"name":"x","every":"soon","stream":{}}""", "'every': 'soon' is not a duration")]
    [InlineData("""{"name":"x","every":"1h","stream":{"name":"s","jobs":[{"name":"a","type":"nope"}]}}""", "'stream': job 'a': unknown agent type 'nope'")]
    [InlineData("""{"name":"x","every":"1h","time_zone":"Nowhere/City","stream":{}}""", "unknown time zone")]
    public async Task Add_Invalid_Is400WithTheReason(string body, string expected)
    {
        await using var server = await TestServer.StartAsync(Agents());
        var response = await server.Http.PostAsync("/api/v1/schedules", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(expected);
    }

    private static Task<HttpResponseMessage> Add(TestServer server, object body) => server.Http.PostAsJsonAsync("/api/v1/schedules", body, ShoalJson.Options, Ct);

    private static async Task<int> Streams(TestServer server, string name) =>
        (await server.Http.GetFromJsonAsync<List<StreamSummaryDto>>($"/api/v1/streams?name={name}", ShoalJson.Options, Ct))!.Count(s => s.Name == name);

    private static async Task<List<ScheduleDto>> SchedulesAsync(TestServer server) =>
        (await server.Http.GetFromJsonAsync<List<ScheduleDto>>("/api/v1/schedules", ShoalJson.Options, Ct))!;
}
