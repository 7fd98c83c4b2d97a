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
/// A stream larger than one request body (issue: a 50,000-file upload, 2.2 MB, got 413 with no way to send it) goes
/// as NDJSON, its parts a line at a time, within max_body_bytes a line and max_stream_bytes in all.
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
    public async Task A50000FileUpload_IsRefusedAsOneBody_ButTakenAsNdjson_ByTheClientOnItsOwn()
    {
        await using var server = await TestServer.StartAsync(Agents());
        var json = Upload(50_000);
        Encoding.UTF8.GetByteCount(json).ShouldBeGreaterThan(2_000_000);

        var plain = await server.Http.PostAsync("/api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        plain.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await plain.Content.ReadAsStringAsync(Ct)).ShouldContain("send a larger stream as NDJSON");

        using var client = ShoalClient.Create(server.App.Url(), StateFiles.EnsureAdminToken(Path.Combine(server.Dir, ".shoal")));
        var checkedStream = await client.CheckAsync(json, Ct);
        checkedStream.Jobs.Single(j => j.Name == "scan").Parts.ShouldBe(50_000);

        var created = await client.SubmitAsync(json, Ct);
        var stream = await server.StreamAsync(created.Id);
        stream.Jobs.Single(j => j.Name == "scan").Parts.Ready.ShouldBe(50_000);
        stream.Jobs.Single(j => j.Name == "unpack").Parts.Ready.ShouldBe(1);
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
    public async Task ALineOverMaxBodyBytes_OrAStreamOverMaxStreamBytes_IsA413NamingBothLimits()
    {
        await using var server = await TestServer.StartAsync(Agents(), extraScheduler: "max_body_bytes = 4096\nmax_stream_bytes = 65536");
        const string first = """{"name":"s","jobs":[{"name":"scan","type":"netscan"}]}""";
        var longLine = $$"""{"job":"scan","parts":["{{new string('x', 5000)}}"]}""";
        var line = $$"""{"job":"scan","parts":["{{new string('x', 3000)}}"]}""";

        foreach (var body in new[] { first + "\n" + longLine + "\n", first + "\n" + string.Join("\n", Enumerable.Repeat(line, 30)) + "\n", first + "\n" + longLine })
        {
            var answer = await PostNdjson(server, body);
            answer.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
            (await answer.Content.ReadAsStringAsync(Ct)).ShouldContain("may hold 65536 bytes ([SCHEDULER] max_stream_bytes), each line at most 4096 ([SCHEDULER] max_body_bytes)");
        }

        (await PostNdjson(server, first + "\n" + string.Join("\n", Enumerable.Repeat(line, 10)))).StatusCode.ShouldBe(HttpStatusCode.Created, "10 lines of 3 KB fit");
        (await server.Http.GetFromJsonAsync<List<StreamSummaryDto>>("/api/v1/streams", ShoalJson.Options, Ct))!.Count.ShouldBe(1);
    }

    private static Task<HttpResponseMessage> PostNdjson(TestServer server, string body) =>
        server.Http.PostAsync("/api/v1/streams", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), Ct);
}
