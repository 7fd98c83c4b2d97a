using System.Net;
using System.Net.Http.Json;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Server.Tests.Engine;

/// <summary>Type and host maxima, EXCLUSIVE, and cancelling an exclusive job, with real agents recording their spans.</summary>
public sealed class LimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Parts(string prefix, int n) => string.Join(",", Enumerable.Range(0, n).Select(i => $"\"{prefix}{i}\""));

    [Fact]
    public async Task TypeAndHostMaxima_AreNeverExceeded()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["a"] = SpanRecord.Conf("a", record, 2), ["b"] = SpanRecord.Conf("b", record, 3) },
            hosts: "localhost = localhost AGENT_DIR 4");
        var s1 = await server.SubmitAsync($$"""{"name":"one","jobs":[{"name":"a","type":"a","parts":[{{Parts("a", 24)}}]},{"name":"b","type":"b","parts":[{{Parts("b", 24)}}]}]}""");
        var s2 = await server.SubmitAsync($$"""{"name":"two","jobs":[{"name":"a","type":"a","parts":[{{Parts("x", 12)}}]}]}""");
        (await server.WaitEndAsync(s1.Id)).State.ShouldBe("completed");
        (await server.WaitEndAsync(s2.Id)).State.ShouldBe("completed");

        var spans = SpanRecord.Read(record);
        spans.Count.ShouldBe(60);
        SpanRecord.MaxOverlap(spans.Where(s => s.Type == "a")).ShouldBeLessThanOrEqualTo(2);
        SpanRecord.MaxOverlap(spans.Where(s => s.Type == "b")).ShouldBeLessThanOrEqualTo(3);
        var all = SpanRecord.MaxOverlap(spans);
        all.ShouldBeLessThanOrEqualTo(4);
        all.ShouldBeGreaterThanOrEqualTo(3, "the agents did run side by side");
    }

    [Fact]
    public async Task Exclusive_NeverOverlapsWhatItConflictsWith()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["n"] = SpanRecord.Conf("n", record, 4),
            ["x"] = SpanRecord.Conf("x", record, 1, extra: "special[] = EXCLUSIVE"),
        });
        var first = await server.SubmitAsync($$"""{"name":"busy","jobs":[{"name":"n","type":"n","parts":[{{Parts("n", 40)}}]}]}""");
        await Poll.UntilAsync(() => server.StreamAsync(first.Id), s => s.Jobs[0].Parts.Done > 2, 30);
        var exclusive = await server.SubmitAsync($$"""{"name":"delete","jobs":[{"name":"x","type":"x","parts":[{{Parts("x", 3)}}]}]}""");
        var why = await server.Http.GetFromJsonAsync<WhyResponse>($"/api/v1/jobs/{exclusive.Jobs["x"]}/why", ShoalJson.Options, Ct);
        var later = await server.SubmitAsync($$"""{"name":"later","jobs":[{"name":"n","type":"n","parts":[{{Parts("m", 10)}}]}]}""");
        foreach (var id in new[] { first.Id, exclusive.Id, later.Id })
        {
            (await server.WaitEndAsync(id)).State.ShouldBe("completed");
        }

        var spans = SpanRecord.Read(record);
        var x = spans.Where(s => s.Type == "x").ToList();
        x.Count.ShouldBe(3);
        spans.Where(s => s.Type == "n").ShouldAllBe(n => !x.Any(e => e.Overlaps(n)), "nothing runs beside the exclusive job");
        why!.Reasons.ShouldContain(r => r.StartsWith("EXCLUSIVE: waiting for", StringComparison.Ordinal) || r.StartsWith("starting agents", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExclusiveScopedToItsStream_RunsBesideOtherStreams_ButNotItsOwn()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["n"] = SpanRecord.Conf("n", record, 4, "0.1"),
            ["x"] = SpanRecord.Conf("x", record, 1, "0.1", "special[] = EXCLUSIVE\nexclusive_scope = stream"),
        });
        var other = await server.SubmitAsync($$"""{"name":"other","jobs":[{"name":"n","type":"n","parts":[{{Parts("o", 30)}}]}]}""");
        await Poll.UntilAsync(() => server.StreamAsync(other.Id), s => s.Jobs[0].Parts.Done > 0, 30);
        var own = await server.SubmitAsync($$"""{"name":"own","jobs":[{"name":"x","type":"x","parts":[{{Parts("x", 4)}}]},{"name":"n","type":"n","parts":[{{Parts("w", 8)}}]}]}""");
        (await server.WaitEndAsync(own.Id)).State.ShouldBe("completed");
        (await server.WaitEndAsync(other.Id)).State.ShouldBe("completed");

        var spans = SpanRecord.Read(record);
        var x = spans.Where(s => s.Type == "x").ToList();
        spans.Where(s => s.Payload.StartsWith('w')).ShouldAllBe(n => !x.Any(e => e.Overlaps(n)), "its own stream waits");
        spans.Where(s => s.Payload.StartsWith('o')).Any(n => x.Any(e => e.Overlaps(n))).ShouldBeTrue("another stream runs beside it");
    }

    [Fact]
    public async Task CancellingAWaitingExclusiveJob_ReleasesEverything()
    {
        var record = Path.GetTempFileName();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["n"] = SpanRecord.Conf("n", record, 2, "0.05"),
            ["x"] = SpanRecord.Conf("x", record, 0, extra: "special[] = EXCLUSIVE"),
        });
        var x = await server.SubmitAsync("""{"name":"held","jobs":[{"name":"x","type":"x","parts":["x0"]}]}""");
        var n = await server.SubmitAsync($$"""{"name":"n","jobs":[{"name":"n","type":"n","parts":[{{Parts("n", 6)}}]}]}""");
        var why = await Poll.UntilAsync(
            () => server.Http.GetFromJsonAsync<WhyResponse>($"/api/v1/jobs/{n.Jobs["n"]}/why", ShoalJson.Options, Ct)!,
            w => w!.Reasons.Any(r => r.StartsWith("waiting for exclusive job", StringComparison.Ordinal)),
            30);
        why!.Reasons.ShouldContain($"waiting for exclusive job {x.Jobs["x"]}");
        (await server.StreamAsync(n.Id)).Jobs[0].Parts.Done.ShouldBe(0);

        (await server.PostAsync($"/api/v1/jobs/{x.Jobs["x"]}/cancel")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await server.WaitEndAsync(n.Id)).State.ShouldBe("completed");
        (await server.StreamAsync(x.Id)).State.ShouldBe("cancelled");
    }
}
