using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Agent;
using Shoal.Contracts;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Sweeps;

/// <summary>
/// Sweeps across zones: the server visits its own zone's hosts; each other zone's hosts go only to collectors of that
/// zone (agent tokens tagged <c>zone:Z</c>, leasing over REST); a zone no collector asks for is given up after
/// <c>zone_wait</c>, its hosts not attempted with the reason.
/// </summary>
public sealed class SweepZoneTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFleetToken_ChecksInOnlyTheHostsOfItsZone_AsTheNewestSweepPlacedThem()
    {
        await using var server = await TestServer.StartAsync(extraSections: "[SWEEP]\nzone_wait = 1\n");
        // A sweep puts w1 in the server's zone and d1 in zone dmz (an admin-started sweep of no collector: it is given up).
        var body = """{"mode":"sweep","threads":1,"hosts":[{"host":"w1","prod":false},{"host":"D1","prod":false,"zone":"dmz"}],"command":["/bin/true","{host}"]}""";
        (await server.Http.PostJsonAsync("/api/v1/sweeps", body)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var (dmzFleet, _) = await server.AgentClientAsync("dmz-fleet", "host:*", "zone:dmz");
        var (ownFleet, _) = await server.AgentClientAsync("own-fleet", "host:*");
        var (plain, _) = await server.AgentClientAsync("plain");

        async Task<(HttpStatusCode Code, string Body)> CheckIn(HttpClient agent, string host)
        {
            using var r = await agent.PostAsync($"/api/v1/hosts/{host}/checkin", JsonContent.Create(new { packages = 1 }), Ct);
            return (r.StatusCode, await r.Content.ReadAsStringAsync(Ct));
        }

        (await CheckIn(dmzFleet, "d1")).Code.ShouldBe(HttpStatusCode.OK, "its zone's host (names compare without case)");
        var other = await CheckIn(dmzFleet, "w1");
        other.Code.ShouldBe(HttpStatusCode.Forbidden);
        other.Body.ShouldContain("this fleet token speaks for zone 'dmz' only; host 'w1' is in the server's own zone");
        (await CheckIn(dmzFleet, "never-swept")).Code.ShouldBe(HttpStatusCode.Forbidden);
        (await CheckIn(ownFleet, "w1")).Code.ShouldBe(HttpStatusCode.OK);
        (await CheckIn(ownFleet, "never-swept")).Code.ShouldBe(HttpStatusCode.OK, "a host no sweep placed is the server's");
        var foreign = await CheckIn(ownFleet, "d1");
        foreign.Code.ShouldBe(HttpStatusCode.Forbidden);
        foreign.Body.ShouldContain("host 'd1' is in zone 'dmz'");
        (await CheckIn(plain, "w1")).Code.ShouldBe(HttpStatusCode.Forbidden, "an ordinary agent token checks in nobody");
    }

    [Fact]
    public async Task EachZonesHosts_AreVisitedOnce_ByItsOwnCollector_ProductionFirst_AndAZoneWithoutCollectorIsNamedNotAttempted()
    {
        await using var server = await TestServer.StartAsync(extraSections: "[SWEEP]\nzone_wait = 2\n");
        var dir = server.Dir;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var collectors = new List<Task>();
        foreach (var (zone, threads) in new[] { ("dmz", 1), ("lab", 3) })
        {
            var (_, token) = await server.AgentClientAsync($"{zone}-1", $"zone:{zone}");
            var client = new PullAgentClient(server.Http.BaseAddress!, token.Token);
            var options = new PullAgentOptions
            {
                Types = ["sweep"],
                Command = ["/bin/sh", "-c", $"echo \"$0\" >> {dir}/{zone}.txt", "{host}"],
                Placeholder = "{host}",
                PartTimeout = TimeSpan.FromSeconds(30),
                Concurrency = threads,
                Wait = TimeSpan.FromSeconds(1),
            };
            collectors.Add(new PullAgentRunner(new CollectorPartSource(client, zone, TimeSpan.FromSeconds(30)), options).RunAsync(stop.Token, CancellationToken.None));
        }

        await Poll.UntilAsync(async () => (await server.AgentsAsync()).Pull!.Count(a => a.Types.Contains("sweep")) == 2, 10);
        static string Host(string name, bool prod, string? zone) =>
            zone is null ? $$"""{"host":"{{name}}","prod":{{(prod ? "true" : "false")}}}""" : $$"""{"host":"{{name}}","prod":{{(prod ? "true" : "false")}},"zone":"{{zone}}"}""";
        var hosts = Enumerable.Range(0, 10).Select(i => Host($"s{i}", i % 3 == 0, null))
            .Concat(Enumerable.Range(0, 20).Select(i => Host($"d{i}", i >= 15, "dmz")))
            .Concat(Enumerable.Range(0, 10).Select(i => Host($"l{i}", false, "lab")))
            .Concat(Enumerable.Range(0, 5).Select(i => Host($"x{i}", true, "nowhere")));
        var body = $$"""{"mode":"sweep","threads":2,"hosts":[{{string.Join(",", hosts)}}],"command":["/bin/sh","-c","echo \"$0\" >> {{dir}}/server.txt","{host}"]}""";
        var response = await server.Http.PostJsonAsync("/api/v1/sweeps", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var id = (await response.Content.ReadFromJsonAsync<SweepStarted>(ShoalJson.Options, Ct))!.Id!.Value;

        var status = await Poll.UntilAsync(
            () => server.Http.GetFromJsonAsync<SweepStatus>($"/api/v1/sweeps/{id}", ShoalJson.Options, Ct)!,
            s => s!.State is "completed" or "failed" or "cancelled",
            60);
        await stop.CancelAsync();
        await Task.WhenAll(collectors);

        string[] Visited(string zone) => File.ReadAllLines(Path.Combine(dir, zone + ".txt"));
        Visited("server").Order(StringComparer.Ordinal).ShouldBe(Enumerable.Range(0, 10).Select(i => $"s{i}").Order(StringComparer.Ordinal));
        Visited("dmz").ShouldBe(Enumerable.Range(15, 5).Concat(Enumerable.Range(0, 15)).Select(i => $"d{i}"), "one thread: production first, then file order");
        Visited("lab").Order(StringComparer.Ordinal).ShouldBe(Enumerable.Range(0, 10).Select(i => $"l{i}").Order(StringComparer.Ordinal));

        status!.State.ShouldBe("failed", "a zone was given up");
        var json = status.Summary;
        json["global_success_hosts"]!.GetValue<int>().ShouldBe(40);
        json["not_attempted_list"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(Enumerable.Range(0, 5).Select(i => $"x{i}"));
        var zones = json["zones"]!.AsObject();
        zones.Select(z => z.Key).Order(StringComparer.Ordinal).ShouldBe(["dmz", "lab", "nowhere", "server"]);
        zones["dmz"]!["done"]!.GetValue<int>().ShouldBe(20);
        zones["dmz"]!["collectors"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["dmz-1"]);
        zones["lab"]!["done"]!.GetValue<int>().ShouldBe(10);
        zones["server"]!["done"]!.GetValue<int>().ShouldBe(10);
        zones["nowhere"]!["not_attempted"]!.GetValue<int>().ShouldBe(5);
        zones["nowhere"]!["reason"]!.GetValue<string>().ShouldBe("no live collector in zone nowhere: none asked for its hosts for 2 s");

        // A zone collector's visit is in the host's history like the server's own.
        var history = await server.Http.GetFromJsonAsync<JsonElement>("/api/v1/hosts/d3/results", Ct);
        history.ToString().ShouldContain("\"status\":\"ok\"");
        history.ToString().ShouldContain("\"source\":\"sweep\"");
    }

    [Fact]
    public async Task WhileAZonedSweepRuns_ItsCountsFromTheJobs_AreThoseOfItsHosts()
    {
        // The running status no longer reads every host: the counts it gives must be the ones its hosts give.
        await using var server = await TestServer.StartAsync(extraSections: "[SWEEP]\nzone_wait = 120\n");
        var hosts = Enumerable.Range(0, 6).Select(i => $$"""{"host":"s{{i}}","prod":{{(i % 2 == 0 ? "true" : "false")}}}""")
            .Concat(Enumerable.Range(0, 4).Select(i => $$"""{"host":"l{{i}}","prod":false,"zone":"lab"}"""));
        var body = $$"""{"mode":"sweep","threads":2,"hosts":[{{string.Join(",", hosts)}}],"command":["/bin/sh","-c","test $0 != s1","{host}"]}""";
        var response = await server.Http.PostJsonAsync("/api/v1/sweeps", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var id = (await response.Content.ReadFromJsonAsync<SweepStarted>(ShoalJson.Options, Ct))!.Id!.Value;

        // The server's own hosts end (one failed); the lab's wait for a collector that never comes.
        var counted = await Poll.UntilAsync(
            () => server.Http.GetFromJsonAsync<SweepStatus>($"/api/v1/sweeps/{id}", ShoalJson.Options, Ct)!,
            s => s!.Success + s.Failed == 6,
            30);
        var read = (await server.Http.GetFromJsonAsync<SweepStatus>($"/api/v1/sweeps/{id}?hosts=true", ShoalJson.Options, Ct))!;
        counted!.State.ShouldBe("running");
        (counted.Total, counted.Success, counted.Failed, counted.FailedProduction, counted.Running, counted.Queued)
            .ShouldBe((read.Total, read.Success, read.Failed, read.FailedProduction, read.Running, read.Queued));
        (counted.Total, counted.Success, counted.Failed, counted.Queued).ShouldBe((10, 5, 1, 4));
        counted.Zones!.Select(z => (z.Zone, z.Hosts, z.Done, z.Failed, z.Running, z.Queued, z.NotAttempted))
            .ShouldBe(read.Zones!.Select(z => (z.Zone, z.Hosts, z.Done, z.Failed, z.Running, z.Queued, z.NotAttempted)));
    }

    [Fact]
    public async Task OnlyATokenOfTheZone_MayLeaseItsHosts()
    {
        await using var server = await TestServer.StartAsync();
        var (plain, _) = await server.AgentClientAsync("plain");
        var (dmz, _) = await server.AgentClientAsync("dmz-1", "zone:dmz");

        (await plain.PostJsonAsync("/api/v1/lease", """{"types":["sweep"],"zone":"dmz"}""")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await dmz.PostJsonAsync("/api/v1/lease", """{"types":["sweep"],"zone":"lab"}""")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var noZone = await dmz.PostJsonAsync("/api/v1/lease", """{"types":["sweep"]}""");
        noZone.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noZone.Content.ReadAsStringAsync(Ct)).ShouldContain("'zone' is required with type 'sweep'");
        (await dmz.PostJsonAsync("/api/v1/lease", """{"types":["sweep"],"zone":"-oProxy"}""")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await dmz.PostJsonAsync("/api/v1/lease", """{"types":["sweep"],"zone":"dmz"}""")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The server's own zone's hosts are never a zone token's: they wait for the server's runner.
        var response = await server.Http.PostJsonAsync("/api/v1/sweeps", """{"mode":"sweep","threads":1,"hosts":[{"host":"own","prod":false}],"command":["/bin/sleep","5"]}""");
        response.EnsureSuccessStatusCode();
        var leased = await dmz.PostJsonAsync("/api/v1/lease", """{"types":["sweep"],"zone":"dmz","wait_seconds":1}""");
        (await leased.Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct))!.Parts.ShouldBeEmpty();
        var badZone = await server.Http.PostJsonAsync("/api/v1/sweeps", """{"mode":"sweep","hosts":[{"host":"h","prod":false,"zone":"a b"}],"command":["/bin/true"]}""");
        badZone.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badZone.Content.ReadAsStringAsync(Ct)).ShouldContain("'hosts[0]': zone 'a b' is not a zone name");
    }

    [Fact]
    public async Task Why_NamesAZoneNobodyCollectsIn_AndTheCollectorsOnceOneAsks()
    {
        await using var server = await TestServer.StartAsync(extraSections: "[SWEEP]\nzone_wait = 600\n");
        var response = await server.Http.PostJsonAsync("/api/v1/sweeps", """{"mode":"sweep","hosts":[{"host":"f1","prod":true,"zone":"far"}],"command":["/bin/true"]}""");
        response.EnsureSuccessStatusCode();
        var job = (await response.Content.ReadFromJsonAsync<SweepStarted>(ShoalJson.Options, Ct))!.Job!.Value;
        async Task<string> WhyAsync() => await server.Http.GetStringAsync($"/api/v1/jobs/{job}/why", Ct);

        (await WhyAsync()).ShouldContain("sweep zone far: no live collector asks for its 1 hosts (shoal agent --collector CMD --zone far, with a token tagged zone:far); they are given up after [SWEEP] zone_wait (600 s)");

        var (far, _) = await server.AgentClientAsync("far-1", "zone:far");
        var leased = await far.PostJsonAsync("/api/v1/lease", """{"types":["sweep"],"zone":"far"}""");
        (await leased.Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct))!.Parts.ShouldHaveSingleItem().Payload.GetProperty("host").GetString().ShouldBe("f1");
        (await WhyAsync()).ShouldContain("sweep zone far: collectors far-1 visit its hosts (0 queued, 1 running)");
    }
}
