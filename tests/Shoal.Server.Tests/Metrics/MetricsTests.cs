using System.Globalization;
using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Server.Tests.Metrics;

/// <summary><c>/metrics</c> in Prometheus text format, its counters moving as parts complete.</summary>
public sealed partial class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_ParseAsPrometheusText_AndCountersMoveAsPartsComplete()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["scan"] = TestServer.NoopConf(2), ["held"] = TestServer.NoopConf(0) });
        await server.SubmitAsync("""{"name":"waiting","jobs":[{"name":"h","type":"held","parts":["a","b","c"]}]}""");
        var before = Parse(await Scrape(server));
        var created = await server.SubmitAsync($$"""{"name":"m","jobs":[{"name":"a","type":"scan","parts":[{{string.Join(",", Enumerable.Range(0, 10).Select(i => $"\"p{i}\""))}}]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");
        var after = Parse(await Scrape(server));

        Value(after, "shoal_parts_reported_total{outcome=\"ok\"}").ShouldBe(Value(before, "shoal_parts_reported_total{outcome=\"ok\"}") + 10);
        Value(after, "shoal_parts_leased_total{kind=\"spawned\"}").ShouldBeGreaterThanOrEqualTo(10);
        Value(after, "shoal_queue_depth{type=\"held\"}").ShouldBe(3);
        after.Keys.ShouldContain(k => k.StartsWith("shoal_lease_seconds_bucket", StringComparison.Ordinal));
        after.Keys.ShouldContain("shoal_agents{phase=\"busy\"}");
    }

    [Fact]
    public async Task TwoServersInOneProcess_EachCountsOnlyItsOwnParts()
    {
        await using var busy = await TestServer.StartAsync();
        await using var quiet = await TestServer.StartAsync();
        var created = await busy.SubmitAsync("""{"name":"m","jobs":[{"name":"a","type":"scan","parts":["a","b","c"]}]}""");
        (await busy.WaitEndAsync(created.Id)).State.ShouldBe("completed");

        var text = await Scrape(busy);
        text.ShouldContain("otel_scope_name=\"Shoal\"", customMessage: "served from the Meter named Shoal");
        Value(Parse(text), "shoal_parts_reported_total{outcome=\"ok\"}").ShouldBe(3);
        Value(Parse(await Scrape(quiet)), "shoal_parts_reported_total{outcome=\"ok\"}").ShouldBe(0);
    }

    private static async Task<string> Scrape(TestServer server)
    {
        using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
        return await anonymous.GetStringAsync("/metrics", Ct);
    }

    /// <summary>Every line is a comment or <c>name{labels} value</c>; returns the samples.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n').Where(l => l.Length > 0))
        {
            if (line.StartsWith('#'))
            {
                line.ShouldMatch(@"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$");
                continue;
            }

            var m = Sample().Match(Prometheus.Plain(line));
            m.Success.ShouldBeTrue($"not a Prometheus sample: {line}");
            samples[m.Groups[1].Value] = m.Groups[2].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
        }

        return samples;
    }

    private static double Value(Dictionary<string, double> samples, string key) => samples.GetValueOrDefault(key);

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) ([-+]?(?:[0-9.eE+-]+|Inf|NaN))$")]
    private static partial Regex Sample();
}
