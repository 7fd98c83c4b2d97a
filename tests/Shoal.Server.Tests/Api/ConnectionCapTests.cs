using System.Net;
using System.Net.Sockets;
using System.Text;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Api;

/// <summary>
/// Idle kept-alive connections cannot lock the REST port (an attacker held 10,000, each sending one GET /health a
/// minute with no token, and every newcomer was refused for as long as it went on): at the cap the idlest is closed.
/// </summary>
public sealed class ConnectionCapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AtTheCap_TheIdlestConnectionMakesRoom_ANewcomerIsServed_AndALongPollingAgentKeepsItsRequest()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() }, extraScheduler: "max_connections = 24");
        var (agent, _) = await server.AgentClientAsync("poller");
        var polling = agent.LeaseAsync("netscan", wait: 30);

        // An anonymous client fills the cap with kept-alive connections, each one request old.
        var port = new Uri(server.App.Url()).Port;
        var idle = new List<TcpClient>();
        for (var i = 0; i < 30; i++)
        {
            var (socket, answer) = await GetAsync(port, "/health");
            if (answer.Length > 0)
            {
                answer.ShouldStartWith("HTTP/1.1 200");
            }

            idle.Add(socket);
        }

        try
        {
            // A newcomer gets in: an idle connection was closed for it (before, it was refused while the idle ones stayed).
            using var newcomer = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            (await newcomer.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

            // The agent waiting in its long poll was never the one closed: work submitted now reaches it.
            await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"netscan","parts":["10.0.0.1"]}]}""");
            (await polling).Single().Payload.GetString().ShouldBe("10.0.0.1");
            var closed = 0;
            foreach (var socket in idle)
            {
                closed += await ClosedAsync(socket) ? 1 : 0;
            }

            closed.ShouldBeGreaterThan(0, "idle connections made room");
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task APublicDashboardsLiveFeed_TakesAtMost256ViewersWithoutASignIn_ThenSays503_AndAnAdminStillWatches()
    {
        await using var server = await TestServer.StartAsync(extraSections: "[DASHBOARD]\npublic = yes");
        var port = new Uri(server.App.Url()).Port;
        var viewers = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Shoal.Server.Dashboard.OverviewFeed.MaxViewers; i++)
            {
                viewers.Add(await OpenFeedAsync(port, "HTTP/1.1 200"));
            }

            viewers.Add(await OpenFeedAsync(port, "HTTP/1.1 503"));
            using var admin = await server.Http.GetAsync("/api/v1/events", HttpCompletionOption.ResponseHeadersRead, Ct);
            admin.StatusCode.ShouldBe(HttpStatusCode.OK, "a signed-in admin is not a viewer");

            viewers[0].Dispose();
            // A viewer who leaves makes room for the next.
            await Poll.UntilAsync(
                async () =>
                {
                    var again = await OpenFeedOrNullAsync(port, "HTTP/1.1 200");
                    if (again is not null)
                    {
                        viewers.Add(again);
                    }

                    return again is not null;
                },
                10);
        }
        finally
        {
            viewers.ForEach(v => v.Dispose());
        }
    }

    private static async Task<TcpClient> OpenFeedAsync(int port, string expected) =>
        await OpenFeedOrNullAsync(port, expected) ?? throw new ShouldAssertException($"the feed did not answer {expected}");

    private static async Task<TcpClient?> OpenFeedOrNullAsync(int port, string expected)
    {
        var (socket, answer) = await GetAsync(port, "/api/v1/events");
        if (answer.StartsWith(expected, StringComparison.Ordinal))
        {
            return socket;
        }

        socket.Dispose();
        return null;
    }

    /// <summary>A raw kept-alive connection that sent one GET, and the start of its answer ("" when it was closed).</summary>
    private static async Task<(TcpClient Socket, string Answer)> GetAsync(int port, string path)
    {
        var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, port, Ct);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: shoal\r\n\r\n"), Ct);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, Ct);
        return (socket, Encoding.ASCII.GetString(buffer, 0, read));
    }

    private static async Task<bool> ClosedAsync(TcpClient socket)
    {
        try
        {
            var stream = socket.GetStream();
            await stream.WriteAsync("GET /health HTTP/1.1\r\nHost: shoal\r\n\r\n"u8.ToArray(), Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            return await stream.ReadAsync(new byte[1024], timeout.Token) == 0;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return true;
        }
    }
}
