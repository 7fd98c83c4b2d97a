using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Client;
using Shoal.Server.Hosting;
using Shouldly;

namespace Shoal.Server.Tests.Client;

/// <summary>Shoal.Client against a real server: a stream built in code, submitted, watched, controlled; typed errors; DI.</summary>
public sealed class ShoalClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Agents() => new() { ["scan"] = TestServer.NoopConf(), ["netscan"] = "[default]\nkind = pull\n" };

    private static ShoalClient Connect(TestServer server) =>
        ShoalClient.Create(server.App.Url(), StateFiles.EnsureAdminToken(Path.Combine(server.Dir, ".shoal")));

    [Fact]
    public async Task AStreamBuiltInCode_IsSubmitted_AndWatchedToItsEnd_EveryPartDone()
    {
        await using var server = await TestServer.StartAsync(Agents());
        using var shoal = Connect(server);
        var stream = new StreamBuilder("from-code").Priority(3).Owner("ops@example.org")
            .Job("unpack", "scan", j => j.Parts("a.tar", "b.tar"))
            .Job("scan", "scan", j => j.DependsOn("unpack").Parts("a.c", "b.c", "c.c").Timeout(TimeSpan.FromHours(1)))
            .Job("report", "scan", j => j.DependsOn("scan"))
            .Build();

        var submitted = await shoal.SubmitAsync(stream, Ct);
        submitted.Jobs.Keys.Order().ShouldBe(["report", "scan", "unpack"]);

        var seen = new List<Contracts.StreamDto>();
        await foreach (var s in shoal.WatchAsync(submitted.Id, TimeSpan.FromMilliseconds(50), Ct))
        {
            seen.Add(s);
        }

        var last = seen[^1];
        last.State.ShouldBe("completed");
        last.Name.ShouldBe("from-code");
        last.Owner.ShouldBe("ops@example.org");
        last.Priority.ShouldBe(3);
        last.Jobs.Sum(j => j.Parts.Done).ShouldBe(6);
        seen.Take(seen.Count - 1).ShouldAllBe(s => !ShoalClient.IsEnded(s.State));
        (await shoal.WaitAsync(submitted.Id, ct: Ct)).State.ShouldBe("completed");
        (await shoal.GetJobAsync(submitted.Jobs["scan"], Ct)).StreamId.ShouldBe(submitted.Id);
    }

    [Fact]
    public async Task Check_SaysWhatGeneratorsObjectPartsAndTagsWouldMake_AndCreatesNothing()
    {
        await using var server = await TestServer.StartAsync(Agents());
        using var shoal = Connect(server);
        var stream = new StreamBuilder("probe")
            .Job("ping", "netscan", j => j.Range("10.9.0.0/24", chunk: 16))
            .Job("probe", "netscan", j => j.RequiresTags("dmz").ObjectParts(new[] { new { host = "10.1.0.7", port = 443 }, new { host = "10.1.0.8", port = 443 } }))
            .Job("deeper", "netscan", j => j.From("ping"))
            .Build();

        var check = await shoal.CheckAsync(stream, Ct);

        check.Jobs.Select(j => (j.Name, j.Parts, j.Generated)).ShouldBe([("ping", 0, "range 10.9.0.0/24 by 16"), ("probe", 2, null), ("deeper", 0, "from ping")]);
        check.Jobs.Single(j => j.Name == "deeper").DependsOn.ShouldBe(["ping"]);
        (await shoal.ListStreamsAsync(ct: Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Errors_AreTyped_WithTheServersStatusAndMessage()
    {
        await using var server = await TestServer.StartAsync(Agents());
        using var shoal = Connect(server);

        var refused = await Should.ThrowAsync<ShoalApiException>(() => shoal.SubmitAsync(
            new StreamBuilder("typo").Job("a", "scan").Job("b", "scan", j => j.DependsOn("unpak")).Build(), Ct));
        refused.Status.ShouldBe(400);
        refused.Problem!.Detail.ShouldBe("job 'b' depends on unknown job 'unpak'");
        refused.Message.ShouldEndWith(": job 'b' depends on unknown job 'unpak'");

        (await Should.ThrowAsync<ShoalApiException>(() => shoal.GetStreamAsync(999_999, Ct))).Status.ShouldBe(404);

        using (var wrong = ShoalClient.Create(server.App.Url(), "not-a-token"))
        {
            (await Should.ThrowAsync<ShoalApiException>(() => wrong.ListStreamsAsync(ct: Ct))).Status.ShouldBe(401);
        }

        using var nobody = ShoalClient.Create($"http://127.0.0.1:{FreePort()}", "x");
        (await Should.ThrowAsync<ShoalConnectionException>(() => nobody.ListStreamsAsync(ct: Ct))).Message.ShouldStartWith("cannot reach the server at http://127.0.0.1:");
    }

    [Fact]
    public async Task Control_PausesResumesAndCancels_AndWhySaysWhy()
    {
        await using var server = await TestServer.StartAsync(Agents());
        using var shoal = Connect(server);
        var submitted = await shoal.SubmitAsync(new StreamBuilder("held").Job("probe", "netscan", j => j.Parts("x")).Build(), Ct);

        (await shoal.ControlStreamAsync(submitted.Id, StreamAction.Pause, Ct)).State.ShouldBe("paused");
        (await shoal.WhyAsync(submitted.Jobs["probe"], Ct)).Reasons.ShouldContain(r => r.Contains("paused", StringComparison.Ordinal));
        (await shoal.ControlStreamAsync(submitted.Id, StreamAction.Resume, Ct)).State.ShouldNotBe("paused");
        (await shoal.ControlJobAsync(submitted.Jobs["probe"], JobAction.Cancel, Ct)).State.ShouldBe("cancelled");
        var conflict = await Should.ThrowAsync<ShoalApiException>(() => shoal.ControlStreamAsync(submitted.Id, StreamAction.Requeue, Ct));
        conflict.Status.ShouldBe(409);
    }

    [Fact]
    public async Task AddShoalClient_GivesAFactoryMadeClient_ThatSubmits()
    {
        await using var server = await TestServer.StartAsync(Agents());
        var services = new ServiceCollection();
        services.AddShoalClient(o =>
        {
            o.BaseAddress = new Uri(server.App.Url());
            o.Token = StateFiles.EnsureAdminToken(Path.Combine(server.Dir, ".shoal"));
        });
        await using var provider = services.BuildServiceProvider();

        var shoal = provider.GetRequiredService<ShoalClient>();
        var submitted = await shoal.SubmitAsync(new StreamBuilder("di").Job("one", "scan", j => j.Parts("p")).Build(), Ct);
        (await shoal.WaitAsync(submitted.Id, TimeSpan.FromMilliseconds(50), Ct)).State.ShouldBe("completed");
    }

    [Fact]
    public async Task AddShoalClient_RetriesReadsOnA503_ButNeverASubmit()
    {
        // A stand-in that fails the first call of each kind with 503: a read is tried again, a submit (which might have
        // been taken) is not.
        var calls = new Dictionary<string, int>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.Run(async http =>
        {
            int n;
            lock (calls)
            {
                n = calls[http.Request.Method] = calls.GetValueOrDefault(http.Request.Method) + 1;
            }

            http.Response.StatusCode = n == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            await http.Response.WriteAsync(http.Request.Method == "GET" ? "[]" : """{"id":1,"jobs":{}}""", Ct);
        });
        await app.StartAsync(Ct);

        var services = new ServiceCollection();
        services.AddShoalClient(o => o.BaseAddress = new Uri(app.Urls.First() + "/"));
        await using var provider = services.BuildServiceProvider();
        var shoal = provider.GetRequiredService<ShoalClient>();

        (await shoal.ListStreamsAsync(ct: Ct)).ShouldBeEmpty();
        calls["GET"].ShouldBe(2);
        (await Should.ThrowAsync<ShoalApiException>(() => shoal.SubmitAsync(new StreamBuilder("once").Job("a", "scan").Build(), Ct))).Status.ShouldBe(503);
        calls["POST"].ShouldBe(1);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
