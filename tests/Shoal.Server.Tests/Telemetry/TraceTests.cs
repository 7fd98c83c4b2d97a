using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Telemetry;

/// <summary>Traces: a span per submit, lease and report on their one path, seen by an in-memory exporter and sent over real OTLP/HTTP.</summary>
[Collection(nameof(TraceTests))]
public sealed class TraceTests
{
    /// <summary>
    /// The in-memory exporter hears every server of the process, and ids (job 1, part 1) repeat between the servers of
    /// other tests: these run alone.
    /// </summary>
    [CollectionDefinition(nameof(TraceTests), DisableParallelization = true)]
    public sealed class Alone;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubmitLeaseAndReport_EachMakeASpan_WithTheirIds()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("Shoal").SetSampler(new AlwaysOnSampler()).AddInMemoryExporter(spans).Build();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["probe"] = PullCalls.PullConf() });
        var created = await server.SubmitAsync("""{"name":"traced-by-trace-tests","jobs":[{"name":"a","type":"probe","parts":["x"]}]}""");
        var (agent, _) = await server.AgentClientAsync("tracer-1");
        var part = (await agent.LeaseAsync("probe")).Single();
        await agent.ReportOkAsync(part);
        tracing.ForceFlush();

        List<Activity> Seen() { lock (spans) { return [.. spans]; } }
        // Other tests' servers trace too: each span is told apart by its stream's name or its agent.
        Seen().ShouldContain(s => s.OperationName == "shoal.submit" && Equals(s.GetTagItem("shoal.stream.name"), "traced-by-trace-tests") && Equals(s.GetTagItem("shoal.stream"), created.Id) && Equals(s.GetTagItem("shoal.jobs"), 1));
        Seen().ShouldContain(s => s.OperationName == "shoal.lease" && Equals(s.GetTagItem("shoal.lease.parts"), 1) && ((string)s.GetTagItem("shoal.agent")!).Contains("tracer-1"));
        Seen().ShouldContain(s => s.OperationName == "shoal.report" && ((string)s.GetTagItem("shoal.agent")!).Contains("tracer-1") && Equals(s.GetTagItem("shoal.part"), part.PartId) && Equals(s.GetTagItem("shoal.report.counted"), 1));
    }

    [Fact]
    public async Task APulledPart_IsOneTrace_FromLeaseThroughTheAgentsCommandToItsReport()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("Shoal").SetSampler(new AlwaysOnSampler()).AddInMemoryExporter(spans).Build();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["probe"] = PullCalls.PullConf() });
        var created = await server.SubmitAsync("""{"name":"part-traces","jobs":[{"name":"a","type":"probe","parts":["one","two"]}]}""");
        var (_, token) = await server.AgentClientAsync("trace-runner");
        var seen = Path.Combine(server.Dir, "traceparents");
        var options = new Shoal.Agent.PullAgentOptions
        {
            Types = ["probe"],
            Command = ["/bin/sh", "-c", $"echo \"$0 $TRACEPARENT\" >> {seen}", "{payload}"],
            Concurrency = 2,
            Wait = TimeSpan.FromSeconds(1),
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var client = new Shoal.Agent.PullAgentClient(server.Http.BaseAddress!, token.Token);
        var runner = new Shoal.Agent.PullAgentRunner(client, options).RunAsync(stop.Token, CancellationToken.None);
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");
        await stop.CancelAsync();
        await runner;
        tracing.ForceFlush();

        List<Activity> Seen() { lock (spans) { return [.. spans]; } }
        foreach (var line in await File.ReadAllLinesAsync(seen, Ct))
        {
            // The command ran under its part's trace: the lease span is the root, the report span its child.
            var traceparent = line.Split(' ')[1];
            var lease = Seen().Single(s => s.OperationName == "shoal.part.lease" && s.Id == traceparent);
            lease.ParentSpanId.ShouldBe(default);
            lease.Links.ShouldHaveSingleItem().Context.TraceId.ShouldNotBe(lease.TraceId, "linked to the lease request, in a trace of its own");
            var report = Seen().Single(s => s.OperationName == "shoal.part.report" && s.TraceId == lease.TraceId);
            report.ParentSpanId.ShouldBe(lease.SpanId);
            report.GetTagItem("shoal.part").ShouldBe(lease.GetTagItem("shoal.part"));
            report.GetTagItem("shoal.report").ShouldBe("Accepted");
        }

        (await File.ReadAllLinesAsync(seen, Ct)).Select(l => l.Split(' ')[0]).Order().ShouldBe(["one", "two"]);
    }

    [Fact]
    public async Task ASpawnedAgentsPart_IsOneTrace_TheServerCarriesItsContext()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource("Shoal").SetSampler(new AlwaysOnSampler()).AddInMemoryExporter(spans).Build();
        await using var server = await TestServer.StartAsync();
        var created = await server.SubmitAsync("""{"name":"spawned-traces","jobs":[{"name":"a","type":"scan","parts":["x","y","z"]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");
        tracing.ForceFlush();

        List<Activity> Seen() { lock (spans) { return [.. spans]; } }
        var job = created.Jobs["a"];
        var leases = Seen().Where(s => s.OperationName == "shoal.part.lease" && Equals(s.GetTagItem("shoal.job"), job)).ToList();
        leases.Count.ShouldBe(3);
        foreach (var lease in leases)
        {
            Seen().ShouldContain(s => s.OperationName == "shoal.part.report" && s.TraceId == lease.TraceId && s.ParentSpanId == lease.SpanId);
        }
    }

    [Fact]
    public async Task AReportsTraceparent_MustBeAW3CContext()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["probe"] = PullCalls.PullConf() });
        await server.SubmitAsync("""{"name":"bad-trace","jobs":[{"name":"a","type":"probe","parts":["x"]}]}""");
        var (agent, _) = await server.AgentClientAsync("bad-tracer");
        var part = (await agent.LeaseAsync("probe")).Single();
        var response = await agent.PostJsonAsync($"/api/v1/parts/{part.PartId}/complete", $$"""{"lease_id":{{part.LeaseId}},"status":"ok","traceparent":"not-a-trace"}""");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("'traceparent' must be a W3C trace context");
        (await agent.ReportOkAsync(part)).Accepted.ShouldBeTrue("the report without it still counts");
    }

    [Fact]
    public async Task WithAnOtlpEndpoint_TheServerSendsItsSpansAndItsMetrics()
    {
        using var receiver = new TcpListener(IPAddress.Loopback, 0);
        receiver.Start();
        var port = ((IPEndPoint)receiver.LocalEndpoint).Port;
        var received = ReceiveAsync(receiver, requests =>
            requests.Any(r => r.StartsWith("POST /v1/traces ", StringComparison.Ordinal)) && requests.Any(r => r.StartsWith("POST /v1/metrics ", StringComparison.Ordinal)));

        var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["probe"] = PullCalls.PullConf() },
            extraSections: $"[TELEMETRY]\notlp_endpoint = http://127.0.0.1:{port}/v1/traces\n");
        var created = await server.SubmitAsync("""{"name":"exported","jobs":[{"name":"a","type":"probe","parts":["x"]}]}""");
        created.Id.ShouldBeGreaterThan(0);
        var (agent, _) = await server.AgentClientAsync("exporter");
        await agent.ReportOkAsync((await agent.LeaseAsync("probe")).Single());
        await server.DisposeAsync(); // a stopping server flushes what it has not sent

        var requests = await received.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var traces = requests.First(r => r.StartsWith("POST /v1/traces HTTP/1.1", StringComparison.Ordinal));
        traces.ShouldContain("Content-Type: application/x-protobuf");
        traces.ShouldContain("shoal.submit");
        traces.ShouldContain("shoal.stream");
        var metrics = string.Concat(requests.Where(r => r.StartsWith("POST /v1/metrics HTTP/1.1", StringComparison.Ordinal)));
        metrics.ShouldContain("shoal.parts.leased");
        metrics.ShouldContain("shoal.parts.reported");
        metrics.ShouldContain("shoal.store_up");
    }

    [Theory]
    [InlineData("http://c:4318", false, "traces", "http://c:4318/v1/traces")]
    [InlineData("http://c:4318/v1/traces", false, "metrics", "http://c:4318/v1/metrics")]
    [InlineData("http://c:4318/otel/", false, "metrics", "http://c:4318/otel/v1/metrics")]
    [InlineData("http://c:4317", true, "metrics", "http://c:4317/")]
    public void EachSignal_GoesToItsOwnPath_OverHttp(string endpoint, bool grpc, string signal, string expected) =>
        ShoalServer.OtlpSignalEndpoint(new Uri(endpoint), grpc, signal).ShouldBe(new Uri(expected));

    /// <summary>A minimal OTLP/HTTP collector: reads requests (headers and body, as text), answers each 200, until <paramref name="enough"/>.</summary>
    private static async Task<List<string>> ReceiveAsync(TcpListener listener, Func<List<string>, bool> enough)
    {
        var requests = new List<string>();
        while (!enough(requests))
        {
            requests.Add(await ReceiveOneRequestAsync(listener));
        }

        return requests;
    }

    /// <summary>A minimal OTLP/HTTP collector: reads one request (headers and body, as text) and answers 200.</summary>
    private static async Task<string> ReceiveOneRequestAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync(Ct);
        var stream = client.GetStream();
        var buffer = new byte[1 << 20];
        var length = 0;
        while (true)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(length), Ct);
            length += n;
            var text = System.Text.Encoding.Latin1.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (n == 0 || (end >= 0 && System.Text.RegularExpressions.Regex.Match(text, @"Content-Length: (\d+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase) is { Success: true } m
                && length >= end + 4 + int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
            {
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), Ct);
                return text;
            }
        }
    }
}
