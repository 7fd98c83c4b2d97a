using System.Net;
using System.Net.Http.Json;
using Shoal.Contracts;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Server.Tests.Docs;

/// <summary>
/// Every <c>json</c> example of docs/streams.md is submitted to a real server: accepted (201), or — marked
/// <c>json refused</c> — refused (400) with exactly the message the page shows under it.
/// </summary>
public sealed partial class StreamExamplesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Page => File.ReadAllText(Path.Combine(TestServer.RepoRoot, "docs", "streams.md"));

    public static TheoryData<int> Examples() => new(Enumerable.Range(0, Block().Count(Page)));

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task SubmitsAsTheDocSays(int index)
    {
        var match = Block().Matches(Page)[index];
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["unpack"] = TestServer.NoopConf(),
            ["scan"] = TestServer.NoopConf(),
            ["report"] = TestServer.NoopConf(),
            ["netscan"] = Pull.PullCalls.PullConf(),
        });
        var response = await server.Http.PostAsync("/api/v1/streams", new StringContent(match.Groups["json"].Value, Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        if (match.Groups["refused"].Success)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
            JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString().ShouldBe(match.Groups["message"].Value, $"example {index + 1}");
        }
        else
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Created, $"example {index + 1}: {body}");
        }
    }

    [Fact]
    public async Task TheNdjsonExample_IsTakenAsTheDocSays_ItsLinesPartsOfTheirJob()
    {
        var example = NdjsonBlock().Match(Page);
        example.Success.ShouldBeTrue("docs/streams.md shows a stream sent as NDJSON");
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["unpack"] = TestServer.NoopConf(), ["scan"] = TestServer.NoopConf() });
        var response = await server.Http.PostAsync("/api/v1/streams", new StringContent(example.Groups["lines"].Value, Encoding.UTF8, "application/x-ndjson"), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var created = (await response.Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options, Ct))!;
        var scan = await server.Http.GetFromJsonAsync<JobDto>($"/api/v1/jobs/{created.Jobs["scan"]}", ShoalJson.Options, Ct);
        var parts = scan!.Parts;
        (parts.Ready + parts.Leased + parts.Done).ShouldBe(4, "the doc's two lines give scan four parts");
    }

    [Fact]
    public void ThePageHasAcceptedAndRefusedExamples_EachRefusedOneWithItsMessage()
    {
        var blocks = Block().Matches(Page);
        blocks.Count(m => !m.Groups["refused"].Success).ShouldBeGreaterThanOrEqualTo(5);
        blocks.Where(m => m.Groups["refused"].Success).ShouldAllBe(m => m.Groups["message"].Success);
        Regex.Count(Page, "```json").ShouldBe(blocks.Count, "every json block is one of the examples");
    }

    [Fact]
    public async Task TheShippedSchema_IsServed_AndEveryAcceptedExampleFollowsIt()
    {
        var shipped = await File.ReadAllTextAsync(Path.Combine(TestServer.RepoRoot, "docs", "stream.schema.json"), Ct);
        await using var server = await TestServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        var served = await anonymous.GetAsync("/schema/stream.json", Ct);
        served.StatusCode.ShouldBe(HttpStatusCode.OK);
        served.Content.Headers.ContentType!.MediaType.ShouldBe("application/schema+json");
        (await served.Content.ReadAsStringAsync(Ct)).ShouldBe(shipped);

        var schema = Json.Schema.JsonSchema.FromText(shipped);
        foreach (var (m, i) in Block().Matches(Page).Select((m, i) => (m, i)).Where(x => !x.m.Groups["refused"].Success))
        {
            using var doc = JsonDocument.Parse(m.Groups["json"].Value);
            schema.Evaluate(doc.RootElement).IsValid.ShouldBeTrue($"example {i + 1} follows the schema");
        }

        // What a schema can see is refused by it too (types and dependency names only the server knows).
        foreach (var bad in new[]
        {
            """{"name":"both","jobs":[{"name":"a","type":"t","parts":["x"],"generate":{"range":"10.0.0.0/30"}}]}""",
            """{"jobs":[{"name":"a","type":"t"}]}""",
            """{"name":"none","jobs":[]}""",
            """{"name":"chunky","jobs":[{"name":"a","type":"t","generate":{"range":"10.0.0.0/30","chunk":0}}]}""",
            """{"name":"lines","jobs":[{"name":"a","type":"t","parts":["x\ny"]}]}""",
            """{"name":"empty","jobs":[{"name":"a","type":"t","parts":[]}]}""",
            """{"name":"   ","jobs":[{"name":"a","type":"t"}]}""",
            """{"name":"nobody","owner":"","jobs":[{"name":"a","type":"t"}]}""",
            """{"name":"mixed","jobs":[{"name":"a","type":"t","generate":{"from":"d","range":"10.0.0.0/30"}}]}""",
            """{"name":"forever","jobs":[{"name":"a","type":"t","timeout":1e12}]}""",
            """{"name":"typo","jobs":[{"name":"a","type":"t","depend_on":["d"]}]}""",
            """{"name":"typo","prio":1,"jobs":[{"name":"a","type":"t"}]}""",
        })
        {
            using var doc = JsonDocument.Parse(bad);
            schema.Evaluate(doc.RootElement).IsValid.ShouldBeFalse(bad);
        }
    }

    [Fact]
    public async Task TheShippedSchema_HasTheFieldsOfTheRecordsTheServerBinds()
    {
        using var schema = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestServer.RepoRoot, "docs", "stream.schema.json"), Ct));
        static string[] Names(JsonElement obj) => [.. obj.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
        var root = schema.RootElement;
        var job = root.GetProperty("$defs").GetProperty("job");
        var generate = job.GetProperty("properties").GetProperty("generate").GetProperty("oneOf").EnumerateArray().SelectMany(Names).Distinct().Order(StringComparer.Ordinal);

        Names(root).ShouldBe(Shoal.Core.Streams.RequestJson.FieldsOf<Shoal.Contracts.StreamRequest>().Order(StringComparer.Ordinal));
        Names(job).ShouldBe(Shoal.Core.Streams.RequestJson.FieldsOf<Shoal.Contracts.JobRequest>().Order(StringComparer.Ordinal));
        generate.ShouldBe(Shoal.Core.Streams.RequestJson.FieldsOf<Shoal.Contracts.GenerateRequest>().Order(StringComparer.Ordinal));
    }

    [GeneratedRegex("```ndjson\\n(?<lines>.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex NdjsonBlock();

    [GeneratedRegex("```json(?<refused> refused)?\\n(?<json>.*?)\\n```(?:\\n→ `(?<message>[^`]*)`)?", RegexOptions.Singleline)]
    private static partial Regex Block();
}
