using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;
using Shoal.Contracts;
using Shoal.Storage.Tests.Postgres;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>Several real <c>shoal server</c> processes on one real PostgreSQL database.</summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterTests
{
    /// <summary>Three servers and six agents load both cores: these tests run alone, after the others of this project.</summary>
    [CollectionDefinition(nameof(ClusterTests), DisableParallelization = true)]
    public sealed class Alone
    {
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeServers_LoseTheLeaderThenAnother_EveryPartEndsDoneOnce_AndTheLastServerTakesOverExpiry()
    {
        const int parts = 10_000;
        await using var cluster = await Cluster.StartAsync(["a", "b", "c"], await PostgresTestDatabase.CreateSchemaAsync(Ct));
        var token = await cluster.AgentTokenAsync();
        (await cluster.SubmitAsync(0, "noop", parts)).ShouldBe(1);

        // Two generic pull agents on each server.
        var agents = new List<ShoalProcess>();
        foreach (var server in cluster.Servers)
        {
            for (var i = 0; i < 2; i++)
            {
                agents.Add(ShoalProcess.Start(cluster.Dir, null, "agent", "--server", server.Url, "--token-file", token, "--types", "noop",
                    "--concurrency", "8", "--wait", "2", "--run", "true"));
            }
        }

        try
        {
            await Wait.UntilAsync(async () => await cluster.DoneAsync() >= parts / 5, 120);
            var leader = (await cluster.ServersAsync(1)).Single(s => s.Leader).Name;
            cluster.Kill(leader);
            await Wait.UntilAsync(async () => (await cluster.ServersAsync(cluster.Live[0])).Any(s => s.Leader && s.Name != leader), 30);
            var second = (await cluster.ServersAsync(cluster.Live[0])).Single(s => s.Leader).Name;

            await Wait.UntilAsync(async () => await cluster.DoneAsync() >= parts / 2, 180);
            cluster.Kill(second);
            var last = cluster.Live.Single();
            await Wait.UntilAsync(async () => (await cluster.ServersAsync(last)).Single(s => s.Name == cluster.Servers[last].Name).Leader, 30);

            // The last server's agents finish the run; the dead servers' leased parts come back by its lease expiry.
            await Wait.UntilAsync(async () => await cluster.StreamStateAsync(last, 1) == "completed", 300);
            await Wait.UntilAsync(async () => (await cluster.ServersAsync(last)).Count(s => s.State == "lost") == 2, 30);
            (await cluster.ServersAsync(last)).Single(s => s.State == "alive").Leader.ShouldBeTrue();
            cluster.Servers[last].Process.Stderr.ShouldContain("took the cluster's leadership");
        }
        finally
        {
            foreach (var a in agents)
            {
                await a.DisposeAsync();
            }
        }

        var (done, doneParts, notDone, expired) = await cluster.AccountingAsync();
        doneParts.ShouldBe(parts, "every part is done");
        done.ShouldBe(parts, "the job counts each part done once");
        notDone.ShouldBe(0);
        expired.ShouldBeGreaterThan(0, "the lost servers' agents held leases, which the last server re-issued after they expired");
    }

    [Fact]
    public async Task LongPollOnOneServer_WakesWithinASecond_OfASubmitOnAnother()
    {
        await using var cluster = await Cluster.StartAsync(["a", "b"], await PostgresTestDatabase.CreateSchemaAsync(Ct));
        var token = (await File.ReadAllTextAsync(await cluster.AgentTokenAsync(), Ct)).Trim();
        using var http = new HttpClient { BaseAddress = new Uri(cluster.Servers[1].Url), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Nothing to do yet: the lease on server b waits; the submit goes to server a.
        var poll = http.PostAsJsonAsync("/api/v1/lease", new LeaseRequestDto(["noop"], 1, 20), ShoalJson.Options, Ct);
        await Task.Delay(1000, Ct);
        poll.IsCompleted.ShouldBeFalse("the long poll waits for work");
        var clock = Stopwatch.StartNew();
        (await cluster.SubmitAsync(0, "noop", 1)).ShouldBe(1);
        var submitted = clock.Elapsed;
        var answer = await (await poll).Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct);
        var woke = clock.Elapsed - submitted;
        answer!.Parts.Count.ShouldBe(1);
        woke.ShouldBeLessThan(TimeSpan.FromSeconds(1), $"woke {woke.TotalMilliseconds:0} ms after the submit returned");

        // The CLI shows both servers, and one leader, from either of them.
        await Wait.UntilAsync(async () => (await cluster.ServersAsync(1)).Count(s => s.State == "alive") == 2, 30);
        var status = await ShoalProcess.RunAsync(cluster.Dir, "status", "--servers", "--json", "--state-dir", cluster.Servers[1].StateDir);
        status.Code.ShouldBe(0, status.Stderr);
        var servers = JsonSerializer.Deserialize<List<ServerDto>>(status.Stdout, ShoalJson.Options)!;
        servers.Select(s => s.Name).ShouldBe(["a", "b"]);
        servers.Count(s => s.Leader).ShouldBe(1);
        servers.ShouldAllBe(s => s.State == "alive");
    }

    [Fact]
    public async Task DbStatusAndMigrate_TellAndBringTheSchemaUpToDate_OnBothStores()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-db-").FullName;
        var pg = await PostgresTestDatabase.CreateSchemaAsync(Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "sqlite.conf"), $"[DIRECTORIES]\nstate = {Path.Combine(dir, "state")}\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "pg.conf"), $"[STORE]\npostgres = {pg}\n", Ct);
        foreach (var conf in new[] { "sqlite.conf", "pg.conf" })
        {
            var before = await ShoalProcess.RunAsync(dir, "db", "status", "--config", conf);
            before.Code.ShouldBe(1, before.Stderr);
            before.Stdout.ShouldContain("schema version 0 of ");
            before.Stdout.ShouldContain("pending: run 'shoal db migrate'");
            var migrate = await ShoalProcess.RunAsync(dir, "db", "migrate", "--config", conf);
            migrate.Code.ShouldBe(0, migrate.Stderr);
            migrate.Stdout.ShouldContain("up to date");
            var after = await ShoalProcess.RunAsync(dir, "db", "status", "--config", conf);
            after.Code.ShouldBe(0, after.Stderr);
            after.Stdout.ShouldContain(conf == "pg.conf" ? "postgres://127.0.0.1" : "sqlite:");
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "bad.conf"), "[STORE]\npostgres =\n", Ct);
        var bad = await ShoalProcess.RunAsync(dir, "db", "status", "--config", "bad.conf");
        bad.Code.ShouldBe(2);
        bad.Stderr.ShouldContain("bad.conf:2: postgres needs a connection string");
    }

    [Fact]
    public async Task PostgresRestartedMidRun_ServersReconnectAndCarryOn_NothingIsLost()
    {
        const int parts = 2_000;
        // A cluster of its own, so that restarting it does not disturb the other tests' database.
        var pgDir = Directory.CreateTempSubdirectory("shoal-pg-restart-").FullName;
        var env = new Dictionary<string, string> { ["SHOAL_PG_DIR"] = pgDir };
        var url = PostgresTestDatabase.Cluster("start", env);
        try
        {
            await using var cluster = await Cluster.StartAsync(["a", "b"], url);
            var token = await cluster.AgentTokenAsync();
            (await cluster.SubmitAsync(0, "noop", parts)).ShouldBe(1);
            await using var agentA = ShoalProcess.Start(cluster.Dir, null, "agent", "--server", cluster.Servers[0].Url, "--token-file", token,
                "--types", "noop", "--concurrency", "4", "--wait", "2", "--run", "sleep 0.01");
            await using var agentB = ShoalProcess.Start(cluster.Dir, null, "agent", "--server", cluster.Servers[1].Url, "--token-file", token,
                "--types", "noop", "--concurrency", "4", "--wait", "2", "--run", "sleep 0.01");
            await Wait.UntilAsync(async () => await cluster.DoneAsync() >= parts / 4, 120);

            PostgresTestDatabase.Cluster("restart", env);

            await Wait.UntilAsync(async () => await cluster.StreamStateAsync(0, 1) == "completed", 240);
            var (done, doneParts, notDone, _) = await cluster.AccountingAsync();
            doneParts.ShouldBe(parts);
            done.ShouldBe(parts);
            notDone.ShouldBe(0);
            cluster.Servers.ShouldAllBe(s => !s.Process.Process.HasExited, "both servers lived through the restart");
        }
        finally
        {
            PostgresTestDatabase.Cluster("stop", env);
            Directory.Delete(pgDir, recursive: true);
        }
    }

    /// <summary>Servers sharing one schema, each in a folder of its own with its own port and name.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

        private Cluster(string dir, string connectionString)
        {
            Dir = dir;
            ConnectionString = connectionString;
        }

        public string Dir { get; }

        public string ConnectionString { get; }

        public List<(string Name, string Url, string StateDir, ShoalProcess Process)> Servers { get; } = [];

        public List<int> Live => Enumerable.Range(0, Servers.Count).Where(i => !Servers[i].Process.Process.HasExited).ToList();

        public static async Task<Cluster> StartAsync(string[] names, string connectionString)
        {
            var cluster = new Cluster(Directory.CreateTempSubdirectory("shoal-cluster-").FullName, connectionString);
            Directory.CreateDirectory(Path.Combine(cluster.Dir, "agents"));
            await File.WriteAllTextAsync(Path.Combine(cluster.Dir, "agents", "noop.conf"), "[default]\nkind = pull\nlease = 3\n", Ct);
            foreach (var name in names)
            {
                var port = FreePort();
                var conf = Path.Combine(cluster.Dir, name + ".conf");
                await File.WriteAllTextAsync(conf, $"""
                    [SCHEDULER]
                    name = {name}
                    port = {port}
                    command_port = 0
                    tick_seconds = 0.5
                    [STORE]
                    postgres = {connectionString}
                    [DIRECTORIES]
                    state = {Path.Combine(cluster.Dir, name)}
                    agents = {Path.Combine(cluster.Dir, "agents")}
                    """, Ct);
                cluster.Servers.Add((name, $"http://127.0.0.1:{port}", Path.Combine(cluster.Dir, name), ShoalProcess.Start(cluster.Dir, null, "server", "--config", conf)));
            }

            foreach (var s in cluster.Servers)
            {
                await Wait.UntilAsync(() => File.Exists(Path.Combine(s.StateDir, "server.url")) || s.Process.Process.HasExited, 60);
                s.Process.Process.HasExited.ShouldBeFalse(s.Process.Stderr);
            }

            var admin = (await File.ReadAllTextAsync(Path.Combine(cluster.Servers[0].StateDir, "admin.token"), Ct)).Trim();
            cluster._http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            return cluster;
        }

        /// <summary>An agent token made on the first server (tokens are in the shared store); returns its file.</summary>
        public async Task<string> AgentTokenAsync()
        {
            var created = await _http.PostAsJsonAsync($"{Servers[0].Url}/api/v1/tokens", new TokenCreateRequest("agent", "cluster-test", []), ShoalJson.Options, Ct);
            created.EnsureSuccessStatusCode();
            var file = Path.Combine(Dir, "agent.token");
            await File.WriteAllTextAsync(file, (await created.Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options, Ct))!.Token, Ct);
            return file;
        }

        public async Task<long> SubmitAsync(int server, string type, int count)
        {
            var spec = new { name = "cluster", jobs = new[] { new { name = "work", type, parts = Enumerable.Range(0, count).Select(i => $"p{i}").ToArray() } } };
            var answer = await _http.PostAsJsonAsync($"{Servers[server].Url}/api/v1/streams", spec, Ct);
            answer.EnsureSuccessStatusCode();
            return (await answer.Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options, Ct))!.Id;
        }

        public async Task<List<ServerDto>> ServersAsync(int server) =>
            (await _http.GetFromJsonAsync<List<ServerDto>>($"{Servers[server].Url}/api/v1/servers", ShoalJson.Options, Ct))!;

        public async Task<string> StreamStateAsync(int server, long id) =>
            (await _http.GetFromJsonAsync<StreamDto>($"{Servers[server].Url}/api/v1/streams/{id}", ShoalJson.Options, Ct))!.State;

        /// <summary>SIGKILL, and wait until it is gone.</summary>
        public void Kill(string name)
        {
            var p = Servers.Single(s => s.Name == name).Process.Process;
            p.Kill();
            p.WaitForExit();
        }

        public async Task<long> DoneAsync() => (await AccountingAsync()).Done;

        /// <summary>The job's done counter, the parts in state done, the parts not done, and the parts leased more than once — read from the database.</summary>
        public async Task<(long Done, long DoneParts, long NotDone, long Releases)> AccountingAsync()
        {
            // No pooling: a pooled connection would be a dead one after the database restarts.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(Ct);
            await using var cmd = new NpgsqlCommand(
                """
                SELECT (SELECT COALESCE(SUM(n_done), 0) FROM jobs), (SELECT COUNT(*) FROM parts WHERE state = 2),
                       (SELECT COUNT(*) FROM parts WHERE state <> 2), (SELECT COUNT(*) FROM parts WHERE lease_no > 1)
                """, connection);
            await using var r = await cmd.ExecuteReaderAsync(Ct);
            await r.ReadAsync(Ct);
            return (Convert.ToInt64(r.GetValue(0)), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var s in Servers)
            {
                if (!s.Process.Process.HasExited)
                {
                    s.Process.Signal("TERM");
                    await s.Process.Process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                await s.Process.DisposeAsync();
            }

            _http.Dispose();
        }

        private static int FreePort()
        {
            using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start();
            return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        }
    }
}
