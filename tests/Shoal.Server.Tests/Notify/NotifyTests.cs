using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Shoal.Contracts;
using Shoal.Server.Tests.Pull;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Shoal.Server.Tests.Notify;

/// <summary>Completion emails through a real SMTP server on loopback (Debian's python3-aiosmtpd), and the webhook.</summary>
public sealed class NotifyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ops@example.org", "ops@example.org")]
    [InlineData("-oQ/tmp/x@b.c", null)]
    [InlineData("--help@x.y", null)]
    [InlineData("a@b.c\r\nBcc: victim@x.y", null)]
    [InlineData("a@b.c victim@x.y", null)]
    [InlineData("Ops <ops@example.org>", null)]
    [InlineData("nobody", null)]
    public void TheOwner_IsMailedOnlyWhenItIsOneAddress_NeverAnOptionOfTheMailClient(string owner, string? recipient) =>
        Shoal.Server.Notify.Notifier.Recipient(owner).ShouldBe(recipient);

    [Fact]
    public void ASubject_IsOneLine() => Shoal.Server.Notify.Notifier.OneLine("Shoal: n\r\nBcc: inj@x.y\tdone").ShouldBe("Shoal: n  Bcc: inj@x.y done");

    [Fact]
    public async Task StreamEnd_SendsTheOwnerAnEmail_WithVariablesHeaderAndFooter_ButNotForNoEmailTypes()
    {
        await using var smtp = await SmtpServer.StartAsync();
        var dir = Directory.CreateTempSubdirectory("shoal-mail-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "header.txt"), "Hello $UPLOADFOLDERNAME,", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "footer.txt"), "-- see $BROWSELINK", Ct);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["scan"] = TestServer.NoopConf(2), ["quiet"] = TestServer.NoopConf(1, "special[] = NOEMAIL") },
            extraSections: $"""
                [EMAILNOTIFY]
                smtp_host = 127.0.0.1
                smtp_port = {smtp.Port}
                subject = Shoal: $UPLOADNAME $JOBRESULT
                header = {dir}/header.txt
                footer = {dir}/footer.txt
                url = https://shoal.example.com
                """);
        var quiet = await server.SubmitAsync("""{"name":"quiet-one","owner":"ops@example.com","jobs":[{"name":"q","type":"quiet","parts":["x"]}]}""");
        (await server.WaitEndAsync(quiet.Id)).State.ShouldBe("completed");
        var loud = await server.SubmitAsync("""{"name":"mail-test","owner":"ops@example.com","jobs":[{"name":"a","type":"scan","parts":["x","y"]}]}""");
        (await server.WaitEndAsync(loud.Id)).State.ShouldBe("completed");

        await Poll.UntilAsync(() => Task.FromResult(smtp.Messages()), m => m.Count > 0, 20);
        await AllNotifiedAsync(server); // both streams handled: the quiet one's turn has passed
        var mails = smtp.Messages();
        mails.Count.ShouldBe(1, "the NOEMAIL stream sent nothing");
        var mail = mails[0];
        mail.ShouldContain("Subject: Shoal: mail-test COMPLETED");
        mail.ShouldContain("To: ops@example.com");
        mail.ShouldContain("Hello ops@example.com,");
        mail.ShouldContain($"-- see https://shoal.example.com/#/streams/{loud.Id}");
        mail.ShouldContain($"{loud.Jobs["a"]}\tscan\tCOMPLETED\thttps://shoal.example.com/#/jobs/{loud.Jobs["a"]}");
        mail.ShouldNotContain("$UPLOADNAME");
    }

    [Fact]
    public async Task AnAgentsEmailText_GoesIntoTheCompletionEmail()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["nomos"] = $"[default]\ncommand = {TestServer.TestAgent("emailer")}\nmax = 1\n" },
            extraSections: $"[EMAILNOTIFY]\nsmtp_host = 127.0.0.1\nsmtp_port = {smtp.Port}\n");
        var created = await server.SubmitAsync("""{"name":"upload-7","owner":"ops@example.com","jobs":[{"name":"scan","type":"nomos","parts":["foo.tar"]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");

        var mails = await Poll.UntilAsync(() => Task.FromResult(smtp.Messages()), m => m.Count > 0, 20);
        var mail = mails.Single();
        mail.ShouldContain("scan (nomos): scanned foo.tar: 3 licenses found");

        // Without [EMAILNOTIFY] url, every link is on the address this server listens on and opens a dashboard page.
        var links = System.Text.RegularExpressions.Regex.Matches(mail, @"https?://\S+").Select(m => m.Value.TrimEnd('.', ')')).ToList();
        links.ShouldNotBeEmpty();
        links.ShouldContain($"{server.Http.BaseAddress!.ToString().TrimEnd('/')}/#/streams/{created.Id}");
        foreach (var link in links)
        {
            link.ShouldStartWith(server.Http.BaseAddress!.ToString().TrimEnd('/'));
            link.ShouldContain("/#/");
            using var page = await server.Http.GetAsync(new Uri(link), Ct);
            page.StatusCode.ShouldBe(HttpStatusCode.OK, link);
        }
    }

    [Fact]
    public async Task SmtpDown_IsLogged_AndTheStreamStillCompletes()
    {
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["scan"] = TestServer.NoopConf(2) },
            extraSections: $"[EMAILNOTIFY]\nsmtp_host = 127.0.0.1\nsmtp_port = {SshHost.FreePort()}\nattempts = 2\n");
        var created = await server.SubmitAsync("""{"name":"no-mail","owner":"ops@example.com","jobs":[{"name":"a","type":"scan","parts":["x"]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");
        await AllNotifiedAsync(server); // every attempt failed, and the stream is done with
        (await server.Http.GetAsync("/health", Ct)).IsSuccessStatusCode.ShouldBeTrue();
    }

    [Fact]
    public async Task AStreamThatCannotFinish_IsShownStuckWithItsReason_ItsOwnerIsToldOnce_AndTheMarkGoesWhenItEnds()
    {
        // The operator's report: one job failed, another is of a type that never says VERSION; the stream stayed running.
        await using var smtp = await SmtpServer.StartAsync();
        var bad = Path.Combine(Path.GetTempPath(), $"bad-agent-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(bad, "#!/bin/sh\necho 'hello there'\nsleep 5\n", Ct);
        File.SetUnixFileMode(bad, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string>
            {
                ["bad"] = $"[default]\ncommand = {bad}\nmax = 1\n",
                ["probe"] = "[default]\nkind = pull\nlease = 60\nretries = 0\non_part_failure = fail-job\n",
            },
            extraSections: $"[EMAILNOTIFY]\nsmtp_host = 127.0.0.1\nsmtp_port = {smtp.Port}\n");
        var created = await server.SubmitAsync("""
            {"name":"stuck-one","owner":"ops@example.com","jobs":[{"name":"a","type":"probe","parts":["x"]},{"name":"b","type":"bad","parts":["y"]}]}
            """);
        var (agent, _) = await server.AgentClientAsync("a1");
        var part = (await agent.LeaseAsync("probe")).ShouldHaveSingleItem();
        (await agent.ReportAsync(part, "failed")).EnsureSuccessStatusCode();

        var stream = await Poll.UntilAsync(() => server.StreamAsync(created.Id), s => s.Stuck is not null, 30);
        stream.State.ShouldBe("running");
        stream.Jobs.Single(j => j.Name == "a").State.ShouldBe("failed");
        stream.Stuck.ShouldBe("job 'b': agent type 'bad' is invalid: agent didn't send version information: \"hello there\"");
        stream.StuckSince.ShouldNotBeNull();
        (await server.Http.GetFromJsonAsync<List<StreamSummaryDto>>("/api/v1/streams", ShoalJson.Options, Ct))!
            .Single(s => s.Id == created.Id).Stuck.ShouldBe(stream.Stuck, "the list shows it too");
        Prometheus.Plain(await server.Http.GetStringAsync("/metrics", Ct)).ShouldContain("shoal_streams_stuck 1");

        var mail = (await Poll.UntilAsync(() => Task.FromResult(smtp.Messages()), m => m.Count > 0, 20)).ShouldHaveSingleItem();
        mail.ShouldContain($"Subject: Shoal: stream {created.Id} stuck-one is stuck");
        mail.ShouldContain("To: ops@example.com");
        mail.ShouldContain("agent type 'bad' is invalid");
        await Poll.UntilAsync(() => server.Store.GetUnnotifiedStuckAsync(10, Ct), l => l.Count == 0, 20);
        (await server.StreamAsync(created.Id)).Stuck.ShouldBe(stream.Stuck, "still stuck, and told once (the store says so)");

        (await server.PostAsync($"/api/v1/streams/{created.Id}/cancel")).EnsureSuccessStatusCode();
        var ended = await server.WaitEndAsync(created.Id);
        ended.Stuck.ShouldBeNull("an ended stream is not stuck");
        await Poll.UntilAsync(async () => Prometheus.Plain(await server.Http.GetStringAsync("/metrics", Ct)), m => m.Contains("shoal_streams_stuck 0", StringComparison.Ordinal), 20);
        await Poll.UntilAsync(() => Task.FromResult(smtp.Messages()), m => m.Count == 2, 20); // the completion email
        smtp.Messages().Count(m => m.Contains(" is stuck", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task Webhook_GetsAJsonPostWithTheStreamsFacts()
    {
        var port = SshHost.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new TaskCompletionSource<string>();
        _ = Task.Run(async () =>
        {
            var ctx = await listener.GetContextAsync();
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            received.TrySetResult(await reader.ReadToEndAsync(Ct));
            ctx.Response.StatusCode = 204;
            ctx.Response.Close();
        }, Ct);
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["scan"] = TestServer.NoopConf(2) },
            extraSections: $"[NOTIFY]\nwebhook = http://127.0.0.1:{port}/shoal\n");
        var created = await server.SubmitAsync("""{"name":"hooked","jobs":[{"name":"a","type":"scan","parts":["x"]}]}""");
        var body = await received.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        body.ShouldContain($"\"stream\":{created.Id}");
        body.ShouldContain("\"name\":\"hooked\"");
        body.ShouldContain("\"state\":\"completed\"");
    }

    /// <summary>aiosmtpd writing every message into a maildir.</summary>
    private sealed class SmtpServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private SmtpServer(Process process, string dir, int port)
        {
            _process = process;
            _dir = dir;
            Port = port;
        }

        public int Port { get; }

        public static async Task<SmtpServer> StartAsync()
        {
            const string python = "/usr/bin/python3";
            var probe = Process.Start(new ProcessStartInfo(python, ["-c", "import aiosmtpd"]) { RedirectStandardError = true, UseShellExecute = false })!;
            await probe.WaitForExitAsync(Ct);
            if (probe.ExitCode != 0)
            {
                if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
                {
                    throw new InvalidOperationException("python3-aiosmtpd is not installed; .ci/run must install it");
                }

                Assert.Skip("python3-aiosmtpd is not installed");
            }

            // aiosmtpd's Mailbox makes the maildir itself, and only when the folder does not exist yet.
            var dir = Path.Combine(Directory.CreateTempSubdirectory("shoal-smtp-").FullName, "maildir");
            var port = SshHost.FreePort();
            var process = Process.Start(new ProcessStartInfo(python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", dir])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    using var tcp = new System.Net.Sockets.TcpClient();
                    await tcp.ConnectAsync("127.0.0.1", port, Ct);
                    return new SmtpServer(process, dir, port);
                }
                catch (System.Net.Sockets.SocketException)
                {
                    await Task.Delay(100, Ct);
                }
            }

            process.Kill();
            throw new InvalidOperationException("aiosmtpd did not start");
        }

        public List<string> Messages() => Directory.Exists(Path.Combine(_dir, "new"))
            ? Directory.GetFiles(Path.Combine(_dir, "new")).Select(File.ReadAllText).ToList()
            : [];

        public ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Waits until the notifier has handled every finished stream (sent, or given up after its attempts).</summary>
    private static Task AllNotifiedAsync(TestServer server)
    {
        var store = server.Store;
        return Poll.UntilAsync(() => store.GetUnnotifiedStreamsAsync(10, Ct), l => l.Count == 0, 30);
    }
}
