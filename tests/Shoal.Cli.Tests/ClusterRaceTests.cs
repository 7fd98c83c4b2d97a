using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shoal.Contracts;
using Shoal.Storage.Tests.Postgres;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// The races that broke exactly-once accounting on PostgreSQL (issue 14), against three real <c>shoal server</c>
/// processes on one real database, driven as independent agents would: each with its own HTTP client and its own
/// ledger of what the servers answered.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterRaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheSameReport_SentToThreeServersAtOnce_IsCountedOnce_AndAnsweredDuplicateByTheOthers()
    {
        const int parts = 300;
        await using var cluster = await ServerCluster.StartAsync(["a", "b", "c"], await PostgresTestDatabase.CreateSchemaAsync(Ct), leaseSeconds: 120);
        using var agent = await AgentAsync(cluster, "retrying-agent");
        var stream = await cluster.SubmitAsync(0, "noop", parts);
        var leased = await LeaseAsync(agent, cluster.Servers[0].Url, parts);

        // Each report goes to all three servers at the same moment, as a client that timed out and retried elsewhere
        // sends it; eight parts at a time, so that the servers' batches are small and meet.
        using var gate = new SemaphoreSlim(8);
        var answers = await Task.WhenAll(leased.Select(async p =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                return await Task.WhenAll(cluster.Servers.Select(s => CompleteAsync(agent, s.Url, p)));
            }
            finally
            {
                gate.Release();
            }
        }));

        var counted = answers.Select(a => a.Count(r => r.Accepted && !r.Duplicate)).ToList();
        counted.Count(c => c != 1).ShouldBe(0, $"parts counted other than once: {string.Join(", ", counted.Where(c => c != 1))}");
        answers.SelectMany(a => a).Count(r => r.Duplicate).ShouldBe(2 * parts, "the two other copies of each report are answered duplicate");
        await ShouldBeExactAsync(cluster, stream, parts);
    }

    [Fact]
    public async Task TheOldAndTheNewHolder_ReportingAtOnceThroughTwoServers_CountThePartOnce()
    {
        const int parts = 150;
        await using var cluster = await ServerCluster.StartAsync(["a", "b", "c"], await PostgresTestDatabase.CreateSchemaAsync(Ct), leaseSeconds: 4);
        using var old = await AgentAsync(cluster, "old-holder");
        using var next = await AgentAsync(cluster, "new-holder");
        var stream = await cluster.SubmitAsync(0, "noop", parts);
        var first = await LeaseAsync(old, cluster.Servers[0].Url, parts);

        // The old holder stalls past its 2 s leases; the leader re-issues every part to the new holder through server b.
        var second = await LeaseAsync(next, cluster.Servers[1].Url, parts);
        second.Select(p => p.PartId).Order().ShouldBe(first.Select(p => p.PartId).Order());

        var byPart = first.ToDictionary(p => p.PartId);
        var answers = await Task.WhenAll(second.Select(async p =>
            await Task.WhenAll(CompleteAsync(old, cluster.Servers[0].Url, byPart[p.PartId]), CompleteAsync(next, cluster.Servers[1].Url, p))));

        var counted = answers.Select(a => a.Count(r => r.Accepted && !r.Duplicate)).ToList();
        counted.Count(c => c != 1).ShouldBe(0, $"parts counted other than once: {string.Join(", ", counted.Where(c => c != 1))}");
        await ShouldBeExactAsync(cluster, stream, parts);
    }

    [Fact]
    public async Task AJobWithPartsStillLeased_DoesNotComplete_NorStartsItsDependent_AndTheLostPartsRunAfterTheHolderDies()
    {
        await using var cluster = await ServerCluster.StartAsync(["a", "b", "c"], await PostgresTestDatabase.CreateSchemaAsync(Ct), leaseSeconds: 4);
        using var holder = await AgentAsync(cluster, "dying-holder");
        using var rescuer = await AgentAsync(cluster, "rescuer");
        var spec = new
        {
            name = "pipeline",
            jobs = new object[]
            {
                new { name = "scan", type = "noop", parts = Enumerable.Range(0, 10).Select(i => $"file-{i}").ToArray() },
                new { name = "report", type = "noop", depends_on = new[] { "scan" }, parts = new[] { "report" } },
            },
        };
        var stream = await cluster.SubmitAsync(0, spec);
        var leased = await LeaseAsync(holder, cluster.Servers[0].Url, 10);
        var ran = new HashSet<string>(StringComparer.Ordinal);

        // Six parts are reported, each to all three servers at once; four stay leased.
        foreach (var p in leased.Take(6))
        {
            var copies = await Task.WhenAll(cluster.Servers.Select(s => CompleteAsync(holder, s.Url, p)));
            copies.Count(r => r.Accepted && !r.Duplicate).ShouldBe(1);
            ran.Add(p.Payload.GetString()!);
        }

        var scan = (await cluster.StreamAsync(1, stream)).Jobs.Single(j => j.Name == "scan");
        scan.State.ShouldBe("running", "four of its parts are still leased");
        scan.Parts.ShouldBe(new PartCountsDto(0, 4, 6, 0));
        (await cluster.StreamAsync(2, stream)).Jobs.Single(j => j.Name == "report").State.ShouldBe("blocked");

        // The holder dies: its four leases run out, and the rescuer gets exactly those four parts, then the report.
        var rescued = await LeaseAsync(rescuer, cluster.Servers[2].Url, 4);
        rescued.Select(p => p.Payload.GetString()!).ShouldBe(leased.Skip(6).Select(p => p.Payload.GetString()!), ignoreOrder: true);
        foreach (var p in rescued)
        {
            (await CompleteAsync(rescuer, cluster.Servers[2].Url, p)).Accepted.ShouldBeTrue();
            ran.Add(p.Payload.GetString()!);
        }

        var report = (await LeaseAsync(rescuer, cluster.Servers[1].Url, 1)).Single();
        report.Payload.GetString().ShouldBe("report");
        (await CompleteAsync(rescuer, cluster.Servers[1].Url, report)).Accepted.ShouldBeTrue();

        await Poll.UntilAsync(async () => await cluster.StreamStateAsync(0, stream) == "completed", 30);
        ran.Count.ShouldBe(10, "every part of the scan ran");
        var detail = await cluster.StreamAsync(0, stream);
        detail.Jobs.Single(j => j.Name == "scan").Parts.ShouldBe(new PartCountsDto(0, 0, 10, 0));
        detail.Jobs.Single(j => j.Name == "report").Parts.ShouldBe(new PartCountsDto(0, 0, 1, 0));
    }

    private static async Task ShouldBeExactAsync(ServerCluster cluster, long stream, int parts)
    {
        var job = (await cluster.StreamAsync(2, stream)).Jobs.Single();
        job.Parts.ShouldBe(new PartCountsDto(0, 0, parts, 0));
        job.State.ShouldBe("completed");
        var (done, doneParts, notDone, _) = await cluster.AccountingAsync();
        (done, doneParts, notDone).ShouldBe((parts, parts, 0));
    }

    private static async Task<HttpClient> AgentAsync(ServerCluster cluster, string name)
    {
        var token = (await File.ReadAllTextAsync(await cluster.AgentTokenAsync(name), Ct)).Trim();
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Leases until <paramref name="count"/> parts are held (long polls wait for expired leases to come back).</summary>
    private static async Task<List<LeasedPartDto>> LeaseAsync(HttpClient agent, string server, int count)
    {
        var got = new List<LeasedPartDto>();
        var until = Environment.TickCount64 + 60_000;
        while (got.Count < count)
        {
            Environment.TickCount64.ShouldBeLessThan(until, $"leased {got.Count} of {count} parts");
            var answer = await agent.PostAsJsonAsync($"{server}/api/v1/lease", new LeaseRequestDto(["noop"], count - got.Count, 5), ShoalJson.Options, Ct);
            answer.EnsureSuccessStatusCode();
            got.AddRange((await answer.Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct))!.Parts);
        }

        return got;
    }

    private static async Task<CompleteResponse> CompleteAsync(HttpClient agent, string server, LeasedPartDto part)
    {
        var answer = await agent.PostAsJsonAsync($"{server}/api/v1/parts/{part.PartId}/complete", new CompleteRequest(part.LeaseId, "ok"), ShoalJson.Options, Ct);
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<CompleteResponse>(ShoalJson.Options, Ct))!;
    }
}
