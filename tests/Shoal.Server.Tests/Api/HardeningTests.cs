using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Server;
using Shoal.Server.Hosting;
using Shoal.Server.Tests.CommandPort;
using Shouldly;

namespace Shoal.Server.Tests.Api;

/// <summary>What a hostile network client or a careless operator could do to a real server (issue 15), one test a row.</summary>
public sealed class HardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CommandPort_WithLoopbackTrusted_SilentConnectionsStillMakeRoom_AndAreClosedAfter10s()
    {
        // As under shoal fo-scheduler: loopback clients need no token, so none is "authenticated" by one; a client is in
        // once its first command came. Silent ones cannot lock fo_cli and fo_scheduler -k out.
        await using var server = await TestServer.StartAsync(extraScheduler: "command_port_trust = 127.0.0.1\ncommand_port_max_connections = 4");
        var silent = new List<CommandPortTests.Port>();
        for (var i = 0; i < 4; i++)
        {
            silent.Add(await CommandPortTests.Port.OpenAsync(server.Dir));
        }

        await using (var client = await CommandPortTests.Port.OpenAsync(server.Dir))
        {
            (await client.AskAsync("agents")).ShouldContain("received");
            (await silent[0].ReadAsync()).ShouldBeNull("the oldest silent connection made room");
        }

        (await silent[1].ReadAsync(TimeSpan.FromSeconds(20))).ShouldBe("error: no line for 10 s, closing");
        foreach (var port in silent)
        {
            await port.DisposeAsync();
        }
    }

    [Fact]
    public async Task CommandPort_SilentConnectionsMakeRoomForOperators_AuthenticatedOnesPastTheCapAreRefused_IdleOnesClosed()
    {
        await using var server = await TestServer.StartAsync(extraScheduler: "command_port_max_connections = 4\ncommand_port_idle = 5");
        var token = StateFiles.EnsureAdminToken(Path.Combine(server.Dir, ".shoal"));
        var silent = new List<CommandPortTests.Port>();
        for (var i = 0; i < 4; i++)
        {
            silent.Add(await CommandPortTests.Port.OpenAsync(server.Dir));
        }

        // The port is full of connections that never said anything: an operator still gets in, and the oldest goes.
        await using (var operatorPort = await CommandPortTests.Port.AuthenticatedAsync(server))
        {
            (await operatorPort.AskAsync("agents")).ShouldContain("received");
            (await silent[0].ReadAsync()).ShouldBeNull("the oldest silent connection made room");
            await silent[0].DisposeAsync();

            // Four authenticated connections fill the port: one more is told so and closed.
            for (var i = 1; i < 4; i++)
            {
                await silent[i].SendAsync(token);
                (await silent[i].AskAsync("agents")).ShouldContain("received");
            }

            await using var extra = await CommandPortTests.Port.OpenAsync(server.Dir);
            (await extra.ReadAsync()).ShouldBe("error: too many connections, try again later");
            (await extra.ReadAsync()).ShouldBeNull();
        }

        (await server.Http.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "the REST port is not held up");

        // A connection that never sends its first line is told and closed within 10 s; an authenticated one after command_port_idle.
        await using var quiet = await CommandPortTests.Port.OpenAsync(server.Dir);
        (await quiet.ReadAsync(TimeSpan.FromSeconds(20))).ShouldBe("error: no line for 10 s, closing");
        (await quiet.ReadAsync()).ShouldBeNull();
        (await silent[1].ReadAsync(TimeSpan.FromSeconds(20))).ShouldBe("error: no line for 5 s, closing");
        foreach (var port in silent.Skip(1))
        {
            await port.DisposeAsync();
        }
    }

    [Fact]
    public async Task RestConnectionsThatNeverFinishTheirHeaders_AreClosedWithin10s_EachAtItsOwnMoment()
    {
        // Kestrel's header time-out fails every connection opened in the same second on one heartbeat (a 408 each,
        // thousands at once under attack, ahead of honest requests); Shoal spreads them over 5-10 s and sends nothing.
        await using var server = await TestServer.StartAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var closes = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(server.Http.BaseAddress!.Host, server.Http.BaseAddress.Port, Ct);
            var stream = client.GetStream();
            await stream.WriteAsync("GET /health HTTP/1.1\r\nHost: x\r\n"u8.ToArray(), Ct);
            var answer = new MemoryStream();
            var buffer = new byte[1024];
            int read;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            limit.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                while ((read = await stream.ReadAsync(buffer, limit.Token)) > 0)
                {
                    answer.Write(buffer, 0, read);
                }
            }
            catch (IOException)
            {
                // Reset by the server: closed too.
            }

            return (At: clock.Elapsed, Answer: System.Text.Encoding.ASCII.GetString(answer.ToArray()));
        }));

        closes.ShouldAllBe(c => c.Answer.Length == 0, "closed without a 408");
        closes.ShouldAllBe(c => c.At >= TimeSpan.FromSeconds(4.5) && c.At < TimeSpan.FromSeconds(11));
        var spread = closes.Max(c => c.At) - closes.Min(c => c.At);
        spread.ShouldBeGreaterThan(TimeSpan.FromSeconds(1), "not all on one heartbeat");
        (await server.Http.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task EmptyOrShortTokens_AreNeverAdmins_OverRestOrTheCommandPort()
    {
        await using var server = await TestServer.StartAsync();
        foreach (var bad in new[] { "\v", " ", "short" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/streams");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bad);
            var answer = await server.Http.SendAsync(request, Ct);
            answer.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await answer.Content.ReadAsStringAsync(Ct)).ShouldMatch("a token has at least 16 characters|missing bearer token");
        }

        await using var port = await CommandPortTests.Port.OpenAsync(server.Dir);
        await port.SendAsync("");
        (await port.ReadAsync()).ShouldBe("error: not authenticated");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n")]
    [InlineData("\v\n")]
    [InlineData("tooshort\n")]
    public async Task AnEmptyOrShortAdminTokenFile_StopsTheServerAtStart_WithTheFileAndWhatToDo(string content)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-token-").FullName;
        var config = ConfigLoader.Load(TestServer.WriteConfig(dir, new Dictionary<string, string> { ["scan"] = TestServer.NoopConf() }));
        Directory.CreateDirectory(config.StateDir);
        await File.WriteAllTextAsync(Path.Combine(config.StateDir, StateFiles.AdminTokenFile), content, Ct);
        var ex = await Should.ThrowAsync<InvalidOperationException>(() => ShoalServer.BuildAsync(config, Ct));
        ex.Message.ShouldContain("admin.token: the admin token is empty or shorter than 16 characters; delete the file");
    }

    [Fact]
    public async Task LineBreaksAndNuls_NeverReachAnAgent_FromAReportsItemsOrASubmit()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["pull"] = "[default]\nkind = pull\n",
            ["scan"] = TestServer.NoopConf(),
        });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"pull","parts":["one"]},{"name":"b","type":"scan","generate":{"from":"a"}}]}""");
        var (agent, _) = await server.AgentClientAsync("hostile");
        var lease = await agent.PostAsJsonAsync("/api/v1/lease", new LeaseRequestDto(["pull"], 1), ShoalJson.Options, Ct);
        var part = (await lease.Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct))!.Parts.Single();

        var injected = JsonSerializer.SerializeToElement(new { items = new[] { "fine", "x\nEND\nCLOSE" } });
        var answer = await agent.PostAsJsonAsync($"/api/v1/parts/{part.PartId}/complete", new CompleteRequest(part.LeaseId, "ok", injected), ShoalJson.Options, Ct);
        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await answer.Content.ReadAsStringAsync(Ct)).ShouldContain("'result.items[1]' contains a line break");
        (await server.StreamAsync(created.Id)).Jobs.Single(j => j.Name == "a").Parts.Leased.ShouldBe(1, "nothing of the report was applied");

        var clean = JsonSerializer.SerializeToElement(new { items = new[] { "fine" } });
        (await (await agent.PostAsJsonAsync($"/api/v1/parts/{part.PartId}/complete", new CompleteRequest(part.LeaseId, "ok", clean), ShoalJson.Options, Ct))
            .Content.ReadFromJsonAsync<CompleteResponse>(ShoalJson.Options, Ct))!.Accepted.ShouldBeTrue();

        var nul = await server.Http.PostAsync("/api/v1/streams", new StringContent("""{"name":"n","jobs":[{"name":"j","type":"scan","parts":["a\u0000b"]}]}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        nul.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await nul.Content.ReadAsStringAsync(Ct)).ShouldContain("parts[0] contains a NUL character");
    }

    [Fact]
    public async Task TheStateFolder_Is0700_AndItsFiles0600_WhateverTheUmask()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-perm-").FullName;
        var state = Path.Combine(dir, ".shoal");
        Directory.CreateDirectory(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        await File.WriteAllTextAsync(Path.Combine(state, "left-over.txt"), "from an older version", Ct);
        File.SetUnixFileMode(Path.Combine(state, "left-over.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var server = await TestServer.StartAsync(reuseDir: dir);
        await server.SubmitAsync("""{"name":"s","jobs":[{"name":"j","type":"scan","parts":["a"]}]}""");
        File.GetUnixFileMode(state).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var files = Directory.GetFiles(state, "*", SearchOption.AllDirectories).ToList();
        files.ShouldContain(f => f.EndsWith("server.url", StringComparison.Ordinal));
        files.ShouldContain(f => f.EndsWith("command.port", StringComparison.Ordinal));
        files.ShouldContain(f => f.EndsWith("shoal.db", StringComparison.Ordinal));
        files.ShouldContain(f => f.EndsWith("shoal.db-wal", StringComparison.Ordinal));
        foreach (var f in files)
        {
            File.GetUnixFileMode(f).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, f);
        }

        foreach (var d in Directory.GetDirectories(state, "*", SearchOption.AllDirectories))
        {
            File.GetUnixFileMode(d).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, d);
        }
    }

    [Fact]
    public async Task RevokingAToken_EndsItsDashboardSessions_AndItsOpenCommandPortConnections()
    {
        await using var server = await TestServer.StartAsync();
        var created = await server.Http.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("admin", "ops-laptop", []), ShoalJson.Options, Ct);
        var token = (await created.Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options, Ct))!;

        using var browser = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = server.Http.BaseAddress };
        (await browser.PostAsync("/dashboard/login", new StringContent(JsonSerializer.Serialize(new { token = token.Token }), System.Text.Encoding.UTF8, "application/json"), Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await browser.GetAsync("/api/v1/streams", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "signed in");
        await using var port = await CommandPortTests.Port.OpenAsync(server.Dir);
        await port.SendAsync(token.Token);
        (await port.AskAsync("agents")).ShouldContain("received");

        (await server.PostAsync($"/api/v1/tokens/{token.Id}/revoke")).EnsureSuccessStatusCode();

        var after = await browser.GetAsync("/api/v1/streams", Ct);
        after.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await after.Content.ReadAsStringAsync(Ct)).ShouldContain("the token this session signed in with was revoked");
        await port.SendAsync("agents");
        (await port.ReadAsync()).ShouldBe("error: the token of this connection was revoked, closing");
        (await port.ReadAsync()).ShouldBeNull();
    }

    [Theory]
    [InlineData("/api/v1/jobs/1/log?offset=abc", "offset")]
    [InlineData("/api/v1/hosts/h1/results?limit=99999999999", "limit")]
    public async Task AQueryValueThatDoesNotBind_IsA400ThatSaysWhich(string path, string parameter)
    {
        await using var server = await TestServer.StartAsync();
        var answer = await server.Http.GetAsync(path, Ct);
        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var text = await answer.Content.ReadAsStringAsync(Ct);
        text.ShouldContain(parameter);
        text.ShouldContain("\"title\":\"bad request\"");
        (await server.Http.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "the server keeps serving");
    }

    [Fact]
    public async Task ACommandPortNumberTooLargeForAnId_IsRefused_NotTakenAsNoNumber()
    {
        await using var server = await TestServer.StartAsync();
        await using var port = await CommandPortTests.Port.AuthenticatedAsync(server);
        (await port.AskAsync("status 99999999999999999999", 1)).ShouldBe(["Invalid command: \"status 99999999999999999999\" (99999999999999999999 is not a number Shoal knows: too large)"]);
        (await port.AskAsync("status 123", 3)).ShouldBe(["received", "ERROR: invalid job id = 123", "end"]);
    }

    [Fact]
    public void TheCommandPort_TakesOnlyLoopbackClients_UnlessRemoteIsTurnedOn()
    {
        foreach (var local in new[] { "127.0.0.1", "127.0.0.9", "::1", "::ffff:127.0.0.1" })
        {
            Shoal.Server.CommandPort.CommandPortServer.RemoteAllowed(new IPEndPoint(IPAddress.Parse(local), 5000), remoteAllowed: false).ShouldBeTrue(local);
        }

        foreach (var remote in new[] { "10.1.2.3", "192.0.2.7", "2001:db8::1", "::ffff:10.0.0.1" })
        {
            Shoal.Server.CommandPort.CommandPortServer.RemoteAllowed(new IPEndPoint(IPAddress.Parse(remote), 5000), remoteAllowed: false).ShouldBeFalse(remote);
            Shoal.Server.CommandPort.CommandPortServer.RemoteAllowed(new IPEndPoint(IPAddress.Parse(remote), 5000), remoteAllowed: true).ShouldBeTrue(remote);
            Shoal.Server.CommandPort.CommandPortServer.RemoteAllowed(new IPEndPoint(IPAddress.Parse(remote), 5000), remoteAllowed: false, tls: true).ShouldBeTrue(remote);
        }
    }

    [Fact]
    public async Task PlainHttpOffLoopback_IsWarnedAboutAtStart()
    {
        await using var server = await TestServer.StartAsync(extraScheduler: "address = 0.0.0.0");
        var log = Path.Combine(server.Dir, ".shoal", "logs", "shoal.log");
        var text = await Poll.UntilAsync(() => Task.FromResult(File.Exists(log) ? File.ReadAllText(log) : ""), t => t.Contains("without TLS", StringComparison.Ordinal), 10);
        text.ShouldContain("the REST API listens on 0.0.0.0 without TLS: tokens and payloads cross the network in clear");
    }

    [Fact]
    public async Task AnAgentsOverLongLines_AreCutAt64KiB_WithANote_AndTheJobLogIsReadInBoundedPieces()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["long"] = $"[default]\ncommand = {TestServer.TestAgent("long_lines")}\nmax = 1\n",
        });
        var created = await server.SubmitAsync("""{"name":"s","jobs":[{"name":"j","type":"long","parts":["a","b"]}]}""");
        (await server.WaitEndAsync(created.Id)).State.ShouldBe("completed");

        var job = created.Jobs["j"];
        var whole = await server.Http.GetAsync($"/api/v1/jobs/{job}/log", Ct);
        var text = await whole.Content.ReadAsStringAsync(Ct);
        text.Split('\n').ShouldAllBe(l => l.Length < 70 * 1024, "every line kept is at most 64 KiB (and its prefix)");
        text.ShouldContain(new string('y', 64 * 1024));
        var log = await File.ReadAllTextAsync(Path.Combine(server.Dir, ".shoal", "logs", "shoal.log"), Ct);
        log.ShouldContain("wrote a stderr line over 64 KiB: its last 2934464 characters were dropped");
        log.ShouldContain("wrote a stdout line over 64 KiB: its last 2934464 characters were dropped");

        var piece = await server.Http.GetAsync($"/api/v1/jobs/{job}/log?offset=0&limit=1000", Ct);
        (await piece.Content.ReadAsByteArrayAsync(Ct)).Length.ShouldBe(1000);
        piece.Headers.GetValues("X-Log-Offset").Single().ShouldBe("1000");
        (await server.Http.GetAsync($"/api/v1/jobs/{job}/log?limit=99999999", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task HostLists_AreReadOnlyFromTheInputsFolder_AndOnlyRegularFiles()
    {
        var inputs = Directory.CreateTempSubdirectory("shoal-inputs-").FullName;
        await File.WriteAllTextAsync(Path.Combine(inputs, "fleet.txt"), "web1\n# a comment\nbad\0line\ndb1\n", Ct);
        File.CreateSymbolicLink(Path.Combine(inputs, "shadow.txt"), "/etc/passwd");
        var secret = Directory.CreateTempSubdirectory("shoal-secret-").FullName;
        await File.WriteAllTextAsync(Path.Combine(secret, "s.txt"), "topsecret\n", Ct);
        Directory.CreateSymbolicLink(Path.Combine(inputs, "linked"), secret);
        Run("mkfifo", Path.Combine(inputs, "fifo.txt"));

        await using var off = await TestServer.StartAsync(new Dictionary<string, string> { ["pull"] = "[default]\nkind = pull\n" });
        (await SubmitFileAsync(off, Path.Combine(inputs, "fleet.txt"))).ShouldContain("host lists are off: set [DIRECTORIES] inputs");

        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["pull"] = "[default]\nkind = pull\n" }, extraSections: $"[DIRECTORIES]\ninputs = {inputs}");
        (await SubmitFileAsync(server, "/etc/passwd")).ShouldContain("/etc/passwd is not under the inputs folder");
        (await SubmitFileAsync(server, Path.Combine(inputs, "shadow.txt"))).ShouldContain("is not under the inputs folder");
        (await SubmitFileAsync(server, Path.Combine(inputs, "linked", "s.txt"))).ShouldContain("is not under the inputs folder", customMessage: "a linked folder leads out of it");
        (await SubmitFileAsync(server, Path.Combine(inputs, "fifo.txt"))).ShouldContain("fifo.txt is not a regular file");
        (await SubmitFileAsync(server, Path.Combine(inputs, "missing.txt"))).ShouldContain("no such file on the server");

        var created = await server.SubmitAsync(GenerateFrom(Path.Combine(inputs, "fleet.txt")));
        var job = await Poll.UntilAsync(async () => (await server.StreamAsync(created.Id)).Jobs.Single(), j => j.Parts.Ready == 2, 30);
        job.Parts.Ready.ShouldBe(2, "web1 and db1; the line with a NUL is skipped");
        (await server.Store.GetPartsAsync(new Shoal.Core.Model.JobId(job.Id), Ct)).Select(p => p.Payload).ShouldBe(["web1", "db1"]);
        (await server.Http.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<string> SubmitFileAsync(TestServer server, string file)
    {
        var answer = await server.Http.PostAsync("/api/v1/streams", new StringContent(GenerateFrom(file), System.Text.Encoding.UTF8, "application/json"), Ct);
        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        return await answer.Content.ReadAsStringAsync(Ct);
    }

    private static string GenerateFrom(string file) =>
        JsonSerializer.Serialize(new { name = "f", jobs = new[] { new { name = "visit", type = "pull", generate = new { file } } } });

    private static void Run(string command, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(command, args);
        p.WaitForExit();
        p.ExitCode.ShouldBe(0);
    }

    [Theory]
    [InlineData("/bin/dash")]
    [InlineData("/bin/bash")]
    public async Task TheRemoteKillCommand_StopsAProcessGroup_UnderDashAndBash(string shell)
    {
        using var group = System.Diagnostics.Process.Start("setsid", "sleep 60")!;
        try
        {
            // setsid has made its own process group once the group id is the pid.
            await Poll.UntilAsync(() => Task.FromResult(ProcStat.Group(group.Id)), g => g == group.Id, 10);
            using var kill = System.Diagnostics.Process.Start(shell, ["-c", Shoal.Server.Spawned.AgentLauncher.RemoteKill(group.Id, Shoal.Server.Spawned.Signals.Stop)])!;
            await kill.WaitForExitAsync(Ct);
            kill.ExitCode.ShouldBe(0);
            (await Poll.UntilAsync(() => Task.FromResult(ProcStat.State(group.Id)), s => s == 'T', 10)).ShouldBe('T');
        }
        finally
        {
            group.Kill();
        }
    }


    [Fact]
    public async Task ALogFolderOutsideTheState_KeepsItsOwnModes_OnlyShoalsLogsAreNarrowed()
    {
        var shared = Directory.CreateTempSubdirectory("shoal-shared-log-").FullName;
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(shared, open);
        var other = Path.Combine(shared, "syslog");
        await File.WriteAllTextAsync(other, "not Shoal's", Ct);
        File.SetUnixFileMode(other, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using var server = await TestServer.StartAsync(extraSections: $"[DIRECTORIES]\nlogdir = {shared}");
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(shared, "shoal.log"))), e => e, 10);
        File.GetUnixFileMode(shared).ShouldBe(open, "a shared log folder stays as it was");
        File.GetUnixFileMode(other).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.GetUnixFileMode(Path.Combine(shared, "shoal.log")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Theory]
    [InlineData("host:a b", "'tags': 'host:a b' may hold only letters, digits")]
    [InlineData("HOST:web1", "'tags': 'HOST:web1' must be written 'host:…'")]
    [InlineData("host:-oProxy", "'tags': 'host:-oProxy' names a host that is not a host name or address")]
    [InlineData("net\u0000a", "may hold only letters, digits")]
    public async Task TokenTags_AreValidated_SoACheckInTagAlwaysMeansWhatItSays(string tag, string expected)
    {
        await using var server = await TestServer.StartAsync();
        var answer = await server.Http.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", "t", [tag]), ShoalJson.Options, Ct);
        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await answer.Content.ReadAsStringAsync(Ct)).ShouldContain(expected);
        (await server.Http.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", "t", ["host:web1", "host:*", "net-a", "dc/zone_2"]), ShoalJson.Options, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
    }
}
