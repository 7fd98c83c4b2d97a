using System.Net.Sockets;
using Shoal.Server.Hosting;
using Shouldly;

namespace Shoal.Server.Tests.CommandPort;

/// <summary>The command port over real TCP: authentication, every command, malformed lines, a client that leaves mid-line.</summary>
public sealed class CommandPortTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string>
    {
        ["scan"] = TestServer.NoopConf(2),
        ["held"] = TestServer.NoopConf(0),
    });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task WithoutAValidToken_TheConnectionIsRefused()
    {
        await using var port = await Port.OpenAsync(_server.Dir);
        await port.SendAsync("not-a-token");
        (await port.ReadAsync()).ShouldBe("error: not authenticated");
        (await port.ReadAsync()).ShouldBeNull("the connection is closed");
    }

    [Fact]
    public async Task Commands_AnswerReceived_AndFossologysOutputs()
    {
        var created = await _server.SubmitAsync("""{"name":"s","jobs":[{"name":"a","type":"held","parts":["x"]},{"name":"b","type":"held","depends_on":["a"]}]}""");
        var a = created.Jobs["a"];
        await using var port = await Port.AuthenticatedAsync(_server);

        (await port.AskAsync("agents")).ShouldBe(["received", "held scan ", "end"]);
        (await port.AskAsync("load")).ShouldBe(["received", "host:localhost address:localhost max:8 running:0", "", "end"]);
        // Agent self-tests under way count as jobs (-1, -2, …), as FOSSology's start-up tests do: wait for them to end.
        var status = await Poll.UntilAsync(() => port.AskAsync("status"), s => !s.Any(l => l.StartsWith("job:-", StringComparison.Ordinal)), 30);
        status[0].ShouldBe("received");
        status[1].ShouldMatch(@"^scheduler:\d+ revision:\S+ daemon:0 jobs:2 log:\S+ port:\d+ verbose:1$");
        status.ShouldContain($"job:{a} status:JOB_CHECKEDOUT type:held, priority:0 running:0 finished:0 failed:0");
        status[^1].ShouldBe("end");
        (await port.AskAsync($"status {a}")).ShouldBe(["received", $"job:{a} status:JOB_CHECKEDOUT type:held, priority:0 running:0 finished:0 failed:0", "end"]);
        (await port.AskAsync("status 99999")).ShouldBe(["received", "ERROR: invalid job id = 99999", "end"]);

        (await port.AskAsync($"restart {a}", 2)).ShouldBe(["received", $"ERROR: Invalid restart command: restart {a}"]);
        await port.AskAsync($"pause {a}", 1);
        (await _server.StreamAsync(created.Id)).Jobs[0].State.ShouldBe("paused");
        await port.AskAsync($"restart {a}", 1);
        (await _server.StreamAsync(created.Id)).Jobs[0].State.ShouldBe("ready");
        await port.AskAsync($"priority {a} 5", 1);
        (await _server.StreamAsync(created.Id)).Jobs[0].State.ShouldBe("ready");
        (await port.AskAsync("verbose", 2)).ShouldBe(["received", "level: 1"]);
        await port.AskAsync("verbose 3", 1);
        (await port.AskAsync("verbose", 2)).ShouldBe(["received", "level: 3"]);
        await port.AskAsync("verbose 264", 1);
        (await port.AskAsync("verbose", 3)).ShouldBe(["received", "mask:       h d i e s a j", "mask: 0 0 0 1 0 0 0 0 1 0 0 0 0 0 0 0 "]);
        await port.AskAsync("verbose 3", 1);
        await port.AskAsync($"verbose {a} 2", 1);
        await port.AskAsync("database", 1);
        await port.AskAsync($"kill {a} \"Disk Full on the NFS mount\"", 1);
        var end = await _server.StreamAsync(created.Id);
        end.Jobs[0].State.ShouldBe("failed");
        end.Jobs[0].Reason.ShouldBe("Disk Full on the NFS mount", "case is kept");
        end.Jobs[1].Reason.ShouldBe("dependency failed");
        (await port.AskAsync($"status {a}")).ShouldBe(["received", $"job:{a} status:JOB_FAILED type:held, priority:5 running:0 finished:0 failed:0", "end"]);
        (await port.AskAsync("close", 2)).ShouldBe(["received", "CLOSE"]);
    }

    [Fact]
    public async Task StatusReplies_AreFossologysBytes_EndAndItsNul()
    {
        await using var port = await Port.AuthenticatedAsync(_server);
        await port.SendAsync("status 99999");
        (await port.ReadBytesAsync(44)).ShouldBe("received\nERROR: invalid job id = 99999\nend\n\0");
        await port.SendAsync("close");
        (await port.ReadBytesAsync(15)).ShouldBe("received\nCLOSE\n", "FOSSology's unit test: 15 bytes");
    }

    [Theory]
    [InlineData("fly away", "Invalid command: \"fly away\"")]
    [InlineData("   ", "Invalid command: \"\"")]
    [InlineData("pause", "Invalid pause command: \"pause\"")]
    [InlineData("pause abc", "Invalid pause command: \"pause abc\"")]
    [InlineData("kill 3", "Invalid kill command: \"kill 3\"")]
    [InlineData("priority 3", "Invalid priority command: \"priority 3\"")]
    public async Task MalformedCommands_SayWhy_AndTheConnectionStaysUsable(string line, string expected)
    {
        await using var port = await Port.AuthenticatedAsync(_server);
        var answer = await port.AskAsync(line, expected.StartsWith("Invalid command", StringComparison.Ordinal) ? 1 : 2);
        answer[^1].ShouldBe(expected);
        (await port.AskAsync("verbose", 2)).ShouldBe(["received", "level: 1"]);
    }

    [Fact]
    public async Task CommandsWithoutANewline_AreTakenAsTheyCame_AsFossologysInterfaceTakesOneRead()
    {
        // fo_cli writes each command with no newline, several on one connection in its interactive mode (here with a
        // token first, sent the same way: a client that never sends a newline).
        await using var port = await Port.OpenAsync(_server.Dir);
        await port.SendRawAsync(StateFiles.EnsureAdminToken(Path.Combine(_server.Dir, ".shoal")));
        await Task.Delay(400, Ct);
        (await port.AskAsync("agents", newline: false)).ShouldBe(["received", "held scan ", "end"]);
        (await port.AskAsync("verbose", 2, newline: false)).ShouldBe(["received", "level: 1"]);
        (await port.AskAsync("load", newline: false)).ShouldBe(["received", "host:localhost address:localhost max:8 running:0", "", "end"]);
    }

    [Fact]
    public async Task AsFoCliSpeaks_ATrustedLoopbackClient_WithNoTokenAndNoNewline_GetsItsAnswer()
    {
        await using var server = await TestServer.StartAsync(extraScheduler: "command_port_trust = 127.0.0.1");
        await using var port = await Port.OpenAsync(server.Dir);
        var status = await port.AskAsync("status", newline: false);
        status[0].ShouldBe("received");
        status[1].ShouldMatch(@"^scheduler:\d+ revision:\S+ daemon:0 jobs:0 log:\S+ port:\d+ verbose:\d+$");
        status[^1].ShouldBe("end");
    }

    [Fact]
    public async Task AClientThatEndsItsLinesWithNewlines_HasSlowOrSplitLinesTakenWhole()
    {
        // Once a client has ended a line with a newline, only a newline ends its commands: "pause 1" + "2\n" 300 ms
        // later is "pause 12", never "pause 1" and then "2".
        await using var port = await Port.AuthenticatedAsync(_server);
        await port.SendRawAsync("verb");
        await Task.Delay(300, Ct);
        await port.SendRawAsync("ose");
        await Task.Delay(300, Ct);
        (await port.AskAsync("", 2)).ShouldBe(["received", "level: 1"]);
        (await port.AskAsync("agents")).ShouldBe(["received", "held scan ", "end"], "one answer for one command: nothing left over");
    }

    [Fact]
    public async Task ShoalCli_OpeningWithItsToken_OnATrustedLoopbackPort_IsNotRunAsACommand_NorEchoed()
    {
        await using var server = await TestServer.StartAsync(extraScheduler: "command_port_trust = 127.0.0.1");
        var token = StateFiles.EnsureAdminToken(Path.Combine(server.Dir, ".shoal"));
        await using var port = await Port.OpenAsync(server.Dir);
        await port.SendAsync(token);
        var agents = await port.AskAsync("agents");
        agents[0].ShouldBe("received", "the token is taken as a token, not answered as an invalid command");
        string.Join('\n', agents).ShouldNotContain(token);
    }

    [Fact]
    public async Task ATokenWithoutANewline_ThatIsWrong_IsRefusedAndClosed_NotLeftHanging()
    {
        await using var port = await Port.OpenAsync(_server.Dir);
        await port.SendRawAsync("status");
        (await port.ReadAsync(TimeSpan.FromSeconds(5))).ShouldBe("error: not authenticated");
        (await port.ReadAsync()).ShouldBeNull("the connection is closed");
    }

    [Fact]
    public async Task AClientThatLeavesMidLine_DoesNotHurtTheServer()
    {
        await using (var port = await Port.AuthenticatedAsync(_server))
        {
            await port.SendRawAsync("stat");
        }

        await using var again = await Port.AuthenticatedAsync(_server);
        (await again.AskAsync("agents"))[0].ShouldBe("received");
    }

    [Fact]
    public async Task Reload_WithABrokenAgentConf_KeepsTheOldTypes_AndSaysFileAndLine()
    {
        await File.WriteAllTextAsync(Path.Combine(_server.Dir, "agents", "broken.conf"), "[default]\ncommand = x\nmaxx = 2\n", Ct);
        await using var port = await Port.AuthenticatedAsync(_server);
        var answer = await port.AskAsync("reload", 2);
        answer[1].ShouldStartWith("ERROR: reload failed, the old configuration stays: ");
        answer[1].ShouldEndWith("broken.conf:3: unknown key 'maxx' in [default]");
        (await port.AskAsync("agents"))[1].ShouldBe("held scan ");
        File.Delete(Path.Combine(_server.Dir, "agents", "broken.conf"));
        await File.WriteAllTextAsync(Path.Combine(_server.Dir, "agents", "extra.conf"), TestServer.NoopConf(1), Ct);
        (await port.AskAsync("reload", 1)).ShouldBe(["received"]);
        await Poll.UntilAsync(() => port.AskAsync("agents"), a => a[1] == "extra held scan ", 20);
    }

    [Fact]
    public async Task Stop_AnswersClose_AndStopsTheServer()
    {
        await using var port = await Port.AuthenticatedAsync(_server);
        (await port.AskAsync("stop", 2)).ShouldBe(["received", "CLOSE"]);
        await Poll.UntilAsync(() => Task.FromResult(_server.App.Lifetime.ApplicationStopping.IsCancellationRequested), s => s, 10);
        _server.App.Lifetime.ApplicationStopping.IsCancellationRequested.ShouldBeTrue();
    }

    /// <summary>A command-port client: newline framing, reads until <c>end</c> or a given number of lines.</summary>
    internal sealed class Port : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly StreamReader _reader;
        private readonly StreamWriter _writer;

        private Port(TcpClient client)
        {
            _client = client;
            _reader = new StreamReader(client.GetStream());
            _writer = new StreamWriter(client.GetStream()) { AutoFlush = true, NewLine = "\n" };
        }

        public static async Task<Port> OpenAsync(string dir)
        {
            var file = Path.Combine(dir, ".shoal", "command.port");
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(file)), e => e, 10);
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", int.Parse((await File.ReadAllTextAsync(file, Ct)).Trim(), System.Globalization.CultureInfo.InvariantCulture), Ct);
            return new Port(client);
        }

        public static async Task<Port> AuthenticatedAsync(TestServer server)
        {
            var port = await OpenAsync(server.Dir);
            await port.SendAsync(StateFiles.EnsureAdminToken(Path.Combine(server.Dir, ".shoal")));
            return port;
        }

        public Task SendAsync(string line) => _writer.WriteLineAsync(line);

        public Task SendRawAsync(string text) => _writer.WriteAsync(text);

        /// <summary>Exactly <paramref name="count"/> characters, as sent (no line splitting).</summary>
        public async Task<string> ReadBytesAsync(int count)
        {
            var buffer = new char[count];
            var read = 0;
            while (read < count)
            {
                var n = await _reader.ReadAsync(buffer.AsMemory(read), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return new string(buffer, 0, read);
        }

        public Task<string?> ReadAsync() => ReadAsync(TimeSpan.FromSeconds(10));

        public async Task<string?> ReadAsync(TimeSpan within) => await _reader.ReadLineAsync(Ct).AsTask().WaitAsync(within, Ct);

        /// <summary>Sends a command and reads <paramref name="lines"/> lines, or up to a line <c>end</c> when not given.</summary>
        public async Task<List<string>> AskAsync(string command, int? lines = null, bool newline = true)
        {
            await (newline ? SendAsync(command) : SendRawAsync(command));
            var answer = new List<string>();
            while (lines is null ? answer.LastOrDefault() != "end" : answer.Count < lines)
            {
                // A status reply ends with FOSSology's NUL byte after "end\n": it leads the next reply.
                answer.Add((await ReadAsync() ?? throw new IOException("closed")).TrimStart('\0'));
            }

            return answer;
        }

        public ValueTask DisposeAsync()
        {
            _client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
