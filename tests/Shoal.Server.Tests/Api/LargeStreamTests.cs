using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shoal.Client;
using Shoal.Contracts;
using Shoal.Server.Hosting;
using Shouldly;

namespace Shoal.Server.Tests.Api;

/// <summary>
/// A stream larger than an ordinary request body (issue: a 50,000-file upload, 2.2 MB, got 413 with no way to send it)
/// is taken up to max_stream_bytes, as one JSON body or as NDJSON, its parts a line at a time within max_body_bytes a line.
/// </summary>
public sealed class LargeStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Agents() => new() { ["scan"] = TestServer.NoopConf(), ["netscan"] = "[default]\nkind = pull\n" };

    private static string Upload(int files) => JsonSerializer.Serialize(new
    {
        name = "upload-50k",
        jobs = new object[]
        {
            new { name = "unpack", type = "netscan", parts = new[] { "files/upload.tar" } },
            new { name = "scan", type = "netscan", depends_on = new[] { "unpack" }, parts = Enumerable.Range(0, files).Select(i => $"files/{i % 256:x2}/{i:d8}/source-file-{i}.cpp").ToArray() },
        },
    });

    [Fact]
    public async Task A50000FileUpload_IsTakenAsOneBody_ItsRefusalsNamingThePlaceInIt()
    {
        await using var server = await TestServer.StartAsync(Agents());
        var json = Upload(50_000);
        Encoding.UTF8.GetByteCount(json).ShouldBeGreaterThan(2_000_000);

        using var client = ShoalClient.Create(server.App.Url(), StateFiles.EnsureAdminToken(Path.Combine(server.Dir, ".shoal")));
        var checkedStream = await client.CheckAsync(json, Ct);
        checkedStream.Jobs.Single(j => j.Name == "scan").Parts.ShouldBe(50_000);
        var created = await client.SubmitAsync(json, Ct);
        var stream = await server.StreamAsync(created.Id);
        stream.Jobs.Single(j => j.Name == "scan").Parts.Ready.ShouldBe(50_000);
        stream.Jobs.Single(j => j.Name == "unpack").Parts.Ready.ShouldBe(1);

        // A fault deep in it is named where it is (a client that split it into lines had named a line it made).
        var bad = json.Replace("source-file-30123.cpp", "source-file-\\n30123.cpp", StringComparison.Ordinal);
        var refused = await server.Http.PostAsync("/api/v1/streams", new StringContent(bad, Encoding.UTF8, "application/json"), Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("job 'scan': parts[30123] contains a line break");
        var twice = json.Replace("\"name\":\"scan\",", "\"name\":\"scan\",\"name\":\"scan\",", StringComparison.Ordinal);
        (await (await server.Http.PostAsync("/api/v1/streams", new StringContent(twice, Encoding.UTF8, "application/json"), Ct)).Content.ReadAsStringAsync(Ct))
            .ShouldContain("job 'scan': 'name' is given twice in one object");
    }

    [Fact]
    public async Task NdjsonLines_AreCheckedOneByOne_TheFirstBadLineIsA400NamingIt_AndNothingIsStored()
    {
        await using var server = await TestServer.StartAsync(Agents());
        var body = """
            {"name":"s","jobs":[{"name":"scan","type":"netscan"}]}
            {"job":"scan","parts":["a","b"]}
            {"job":"scna","parts":["c"]}
            {"job":"scan","parts":["d"]}
            """;
        var refused = await PostNdjson(server, body);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("line 3: the stream (line 1) has no job 'scna'");
        (await server.Http.GetFromJsonAsync<List<StreamSummaryDto>>("/api/v1/streams", ShoalJson.Options, Ct))!.ShouldBeEmpty();

        var taken = await PostNdjson(server, body.Replace("scna", "scan", StringComparison.Ordinal));
        taken.StatusCode.ShouldBe(HttpStatusCode.Created);
        var created = (await taken.Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options, Ct))!;
        (await server.StreamAsync(created.Id)).Jobs.Single().Parts.Ready.ShouldBe(4, "the lines' parts replace the job's one empty part");
    }

    [Fact]
    public async Task ALineOverMaxBodyBytes_OrAStreamOverMaxStreamBytes_IsA413NamingItsLimit()
    {
        await using var server = await TestServer.StartAsync(Agents(), extraScheduler: "max_body_bytes = 4096\nmax_stream_bytes = 65536");
        const string first = """{"name":"s","jobs":[{"name":"scan","type":"netscan"}]}""";
        var longLine = $$"""{"job":"scan","parts":["{{new string('x', 5000)}}"]}""";
        var line = $$"""{"job":"scan","parts":["{{new string('x', 3000)}}"]}""";

        foreach (var (body, said) in new[]
        {
            (first + "\n" + line + "\n" + longLine + "\n", "line 3 is longer than the limit of 4096 bytes a line ([SCHEDULER] max_body_bytes)"),
            (first + "\n" + longLine, "line 2 is longer than the limit of 4096 bytes a line ([SCHEDULER] max_body_bytes)"),
            (first + "\n" + string.Join("\n", Enumerable.Repeat(line, 30)) + "\n", "the stream is larger than the limit of 65536 bytes ([SCHEDULER] max_stream_bytes)"),
        })
        {
            var answer = await PostNdjson(server, body);
            answer.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
            (await answer.Content.ReadAsStringAsync(Ct)).ShouldContain(said);
        }

        // One JSON body: up to max_stream_bytes, past the ordinary body's limit.
        var plain = $$"""{"name":"p","jobs":[{"name":"scan","type":"netscan","parts":[{{string.Join(",", Enumerable.Repeat($"\"{new string('y', 3000)}\"", 10))}}]}]}""";
        (await server.Http.PostAsync("/api/v1/streams", new StringContent(plain, Encoding.UTF8, "application/json"), Ct)).StatusCode.ShouldBe(HttpStatusCode.Created, "30 KB, over max_body_bytes");
        var huge = $$"""{"name":"h","jobs":[{"name":"scan","type":"netscan","parts":[{{string.Join(",", Enumerable.Repeat($"\"{new string('y', 3000)}\"", 30))}}]}]}""";
        var tooLarge = await server.Http.PostAsync("/api/v1/streams", new StringContent(huge, Encoding.UTF8, "application/json"), Ct);
        tooLarge.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await tooLarge.Content.ReadAsStringAsync(Ct)).ShouldContain("the stream is larger than the limit of 65536 bytes ([SCHEDULER] max_stream_bytes)");

        (await PostNdjson(server, first + "\n" + string.Join("\n", Enumerable.Repeat(line, 10)))).StatusCode.ShouldBe(HttpStatusCode.Created, "10 lines of 3 KB fit");
        (await server.Http.GetFromJsonAsync<List<StreamSummaryDto>>("/api/v1/streams", ShoalJson.Options, Ct))!.Count.ShouldBe(2);
    }

    private static Task<HttpResponseMessage> PostNdjson(TestServer server, string body) =>
        server.Http.PostAsync("/api/v1/streams", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), Ct);
}
