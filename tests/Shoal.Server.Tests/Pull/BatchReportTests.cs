using System.Net;
using System.Net.Http.Json;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Server.Tests.Pull;

/// <summary><c>POST /api/v1/reports</c>: many reports in one request, all or nothing on bad input.</summary>
public sealed class BatchReportTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(
        new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() }, extraScheduler: "max_body_bytes = 65536");

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ManyReportsInOneRequest_AreAppliedTogether_WithAnOutcomeEach()
    {
        var created = await _server.SubmitAsync("""{"name":"b","jobs":[{"name":"a","type":"netscan","parts":["x","y","z"]}]}""");
        var (agent, _) = await _server.AgentClientAsync("batcher");
        var parts = await agent.LeaseAsync("netscan", max: 3);
        parts.Count.ShouldBe(3);
        var body = new ReportsRequest(
        [
            new PartReportDto(parts[0].PartId, parts[0].LeaseId, "ok"),
            new PartReportDto(parts[1].PartId, parts[1].LeaseId, "ok", Log: "fine"),
            new PartReportDto(parts[2].PartId, parts[2].LeaseId, "ok"),
            new PartReportDto(parts[0].PartId, parts[0].LeaseId, "ok"),
        ]);
        var response = await agent.PostAsJsonAsync("/api/v1/reports", body, ShoalJson.Options, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var results = (await response.Content.ReadFromJsonAsync<ReportsResponse>(ShoalJson.Options, Ct))!.Results;
        results.Select(r => r.PartId).ShouldBe([parts[0].PartId, parts[1].PartId, parts[2].PartId, parts[0].PartId]);
        results.Take(3).ShouldAllBe(r => r.Outcome.Accepted && !r.Outcome.Duplicate);
        results[3].Outcome.Duplicate.ShouldBeTrue("the same part twice in one request counts once");
        var stream = await _server.StreamAsync(created.Id);
        stream!.State.ShouldBe("completed");
        stream.Jobs[0].Parts.Done.ShouldBe(3);
    }

    [Theory]
    [InlineData("""{"reports":[]}""", HttpStatusCode.BadRequest, "'reports' must be an array of 1 to 1000 reports")]
    [InlineData("""{"reports":{}}""", HttpStatusCode.BadRequest, "'reports' must be an array")]
    [InlineData("""{"reports":[GOOD,{"part_id":"x","lease_id":1,"status":"ok"}]}""", HttpStatusCode.BadRequest, "reports[1]: 'part_id' must be an integer")]
    [InlineData("""{"reports":[GOOD,{"part_id":PART,"status":"ok"}]}""", HttpStatusCode.BadRequest, "reports[1]: 'lease_id' is required")]
    [InlineData("""{"reports":[GOOD,{"part_id":PART,"lease_id":LEASE,"lease_id":LEASE,"status":"ok"}]}""", HttpStatusCode.BadRequest, "'lease_id' is given twice in one object")]
    [InlineData("""{"reports":[GOOD,{"part_id":PART,"lease_id":LEASE,"status":"done"}]}""", HttpStatusCode.BadRequest, "reports[1]: 'status' must be")]
    [InlineData("""{"reports":[GOOD,{"part_id":PART,"lease_id":LEASE,"status":"ok","log":7}]}""", HttpStatusCode.BadRequest, "reports[1]: 'log' must be a string")]
    [InlineData("""{"reports":[GOOD,{"part_id":PART,"lease_id":12345,"status":"ok"}]}""", HttpStatusCode.Forbidden, "reports[1]: lease 12345 of part")]
    [InlineData("""{"reports":[GOOD,{"part_id":999999,"lease_id":1,"status":"ok"}]}""", HttpStatusCode.NotFound, "reports[1]: no part 999999")]
    [InlineData("""{"reports":[GOOD""", HttpStatusCode.BadRequest, "malformed JSON")]
    public async Task BadEntry_RefusesTheWholeRequest_NamingTheEntry_AndAppliesNothing(string template, HttpStatusCode code, string expected)
    {
        var created = await _server.SubmitAsync("""{"name":"bad","jobs":[{"name":"a","type":"netscan","parts":["x","y"]}]}""");
        var (agent, _) = await _server.AgentClientAsync("careless");
        var parts = await agent.LeaseAsync("netscan", max: 2);
        var good = $$"""{"part_id":{{parts[0].PartId}},"lease_id":{{parts[0].LeaseId}},"status":"ok"}""";
        var body = template.Replace("GOOD", good, StringComparison.Ordinal)
            .Replace("PART", parts[1].PartId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("LEASE", parts[1].LeaseId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var response = await agent.PostJsonAsync("/api/v1/reports", body);
        response.StatusCode.ShouldBe(code);
        (await response.Content.ReadFromJsonAsync<ProblemDto>(ShoalJson.Options, Ct))!.Detail!.ShouldContain(expected);
        var stream = await _server.StreamAsync(created.Id);
        stream!.Jobs[0].Parts.Done.ShouldBe(0, "nothing of a refused request is applied");
        (await agent.ReportOkAsync(parts[0])).Accepted.ShouldBeTrue("the server carries on");
    }
}
