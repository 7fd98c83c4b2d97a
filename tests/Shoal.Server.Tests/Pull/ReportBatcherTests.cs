using System.Net;
using Shoal.Agent;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Server.Tests.Pull;

/// <summary>
/// A pull agent's reports travel together when several parts end at once (<see cref="ReportBatcher"/>, the path of
/// <c>shoal agent</c>): fewer requests than parts, every part counted once, and one refused report costs no other.
/// </summary>
public sealed class ReportBatcherTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(
        new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ThePullAgent_ReportsPartsThatEndTogether_InFewerRequestsThanParts_EachCountedOnce()
    {
        const int Parts = 120;
        var payloads = string.Join(",", Enumerable.Range(0, Parts).Select(i => $"\"{i}\""));
        var created = await _server.SubmitAsync($$"""{"name":"many","jobs":[{"name":"a","type":"netscan","parts":[{{payloads}}]}]}""");
        var (_, token) = await _server.AgentClientAsync("batching");
        var counter = new CountingHandler();
        using var client = new PullAgentClient(_server.Http.BaseAddress!, token.Token, counter);
        var options = new PullAgentOptions { Types = ["netscan"], Command = ["/bin/true"], Concurrency = 24, Wait = TimeSpan.FromSeconds(1) };
        var runner = new PullAgentRunner(client, options);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        var stream = await _server.WaitEndAsync(created.Id);
        await stop.CancelAsync();
        await run;

        stream.State.ShouldBe("completed");
        stream.Jobs[0].Parts.Done.ShouldBe(Parts);
        runner.Done.ShouldBe(Parts, "each part reported once, each answered");
        var reportRequests = counter.Count("/complete") + counter.Count("/api/v1/reports");
        counter.Count("/api/v1/reports").ShouldBeGreaterThan(0, "parts that ended together went in one request");
        reportRequests.ShouldBeLessThan(Parts, $"{counter.Count("/complete")} single reports and {counter.Count("/api/v1/reports")} batches for {Parts} parts");
    }

    [Fact]
    public async Task OneRefusedReportInABatch_IsRefusedAlone_TheOthersAreCounted()
    {
        var created = await _server.SubmitAsync("""{"name":"mixed","jobs":[{"name":"a","type":"netscan","parts":["x","y","z"]}]}""");
        var (_, token) = await _server.AgentClientAsync("careless");
        var counter = new CountingHandler { HoldFirst = new TaskCompletionSource() };
        using var client = new PullAgentClient(_server.Http.BaseAddress!, token.Token, counter);
        var parts = await client.LeaseAsync(["netscan"], 3, TimeSpan.Zero, TestContext.Current.CancellationToken);
        parts.Count.ShouldBe(3);
        var batcher = new ReportBatcher(client);

        // The first report is on its way (held); the next two wait for it and then travel together: one good, one forged.
        var first = batcher.ReportAsync(new PartReportDto(parts[0].PartId, parts[0].LeaseId, "ok"), TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => Task.FromResult(counter.Count("/complete")), n => n == 1, 10);
        var forged = batcher.ReportAsync(new PartReportDto(parts[1].PartId, parts[1].LeaseId + 7777, "ok"), TestContext.Current.CancellationToken);
        var good = batcher.ReportAsync(new PartReportDto(parts[2].PartId, parts[2].LeaseId, "ok"), TestContext.Current.CancellationToken);
        counter.HoldFirst.SetResult();

        (await first).Accepted.ShouldBeTrue();
        (await good).Accepted.ShouldBeTrue("a forged report in the same batch costs the good one nothing");
        var refused = await Should.ThrowAsync<PullAgentException>(() => forged);
        refused.Status.ShouldBe(403);
        counter.Statuses("/api/v1/reports").ShouldBe([HttpStatusCode.Forbidden], "the two went together, and the batch was refused whole");
        counter.Count("/complete").ShouldBe(3, "then each went alone for its own answer");
        var stream = await _server.StreamAsync(created.Id);
        stream.Jobs[0].Parts.Done.ShouldBe(2);
    }

    /// <summary>Counts the requests by path (and can hold the first report until told).</summary>
    private sealed class CountingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        private readonly List<(string Path, HttpStatusCode Status)> _seen = [];
        private int _reports;

        public TaskCompletionSource? HoldFirst { get; init; }

        public int Count(string pathEnd)
        {
            lock (_seen)
            {
                return _seen.Count(s => s.Path.EndsWith(pathEnd, StringComparison.Ordinal));
            }
        }

        public List<HttpStatusCode> Statuses(string pathEnd)
        {
            lock (_seen)
            {
                return [.. _seen.Where(s => s.Path.EndsWith(pathEnd, StringComparison.Ordinal)).Select(s => s.Status)];
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var report = path.EndsWith("/complete", StringComparison.Ordinal) || path.EndsWith("/api/v1/reports", StringComparison.Ordinal);
            if (report && HoldFirst is not null && Interlocked.Increment(ref _reports) == 1)
            {
                lock (_seen)
                {
                    _seen.Add((path, 0));
                }

                await HoldFirst.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            lock (_seen)
            {
                _seen.Add((path, response.StatusCode));
            }

            return response;
        }
    }
}
