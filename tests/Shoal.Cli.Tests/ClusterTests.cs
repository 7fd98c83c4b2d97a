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
        await using var cluster = await ServerCluster.StartAsync(["a", "b", "c"], await PostgresTestDatabase.CreateSchemaAsync(Ct));
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
            await Poll.UntilAsync(async () => await cluster.DoneAsync() >= parts / 5, 120);
            var leader = (await cluster.ServersAsync(1)).Single(s => s.Leader).Name;
            cluster.Kill(leader);
            await Poll.UntilAsync(async () => (await cluster.ServersAsync(cluster.Live[0])).Any(s => s.Leader && s.Name != leader), 30);
            var second = (await cluster.ServersAsync(cluster.Live[0])).Single(s => s.Leader).Name;

            await Poll.UntilAsync(async () => await cluster.DoneAsync() >= parts / 2, 180);
            cluster.Kill(second);
            var last = cluster.Live.Single();
            await Poll.UntilAsync(async () => (await cluster.ServersAsync(last)).Single(s => s.Name == cluster.Servers[last].Name).Leader, 30);

            // The last server's agents finish the run; the dead servers' leased parts come back by its lease expiry.
            await Poll.UntilAsync(async () => await cluster.StreamStateAsync(last, 1) == "completed", 300);
            await Poll.UntilAsync(async () => (await cluster.ServersAsync(last)).Count(s => s.State == "lost") == 2, 30);
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
        await using var cluster = await ServerCluster.StartAsync(["a", "b"], await PostgresTestDatabase.CreateSchemaAsync(Ct));
        var token = (await File.ReadAllTextAsync(await cluster.AgentTokenAsync(), Ct)).Trim();
        using var http = new HttpClient { BaseAddress = new Uri(cluster.Servers[1].Url), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Nothing to do yet: the lease on server b waits; the submit goes to server a.
        var poll = http.PostAsJsonAsync("/api/v1/lease", new LeaseRequestDto(["noop"], 1, 20), ShoalJson.Options, Ct);
        await Poll.UntilAsync(async () => Prometheus.Plain(await http.GetStringAsync("/metrics", Ct)).Contains("\nshoal_long_polls_waiting 1\n", StringComparison.Ordinal), 20);
        poll.IsCompleted.ShouldBeFalse("the long poll waits for work");
        var clock = Stopwatch.StartNew();
        (await cluster.SubmitAsync(0, "noop", 1)).ShouldBe(1);
        var submitted = clock.Elapsed;
        var answer = await (await poll).Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct);
        var woke = clock.Elapsed - submitted;
        answer!.Parts.Count.ShouldBe(1);
        woke.ShouldBeLessThan(TimeSpan.FromSeconds(1), $"woke {woke.TotalMilliseconds:0} ms after the submit returned");

        // The CLI shows both servers, and one leader, from either of them.
        await Poll.UntilAsync(async () => (await cluster.ServersAsync(1)).Count(s => s.State == "alive") == 2, 30);
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
            await using var cluster = await ServerCluster.StartAsync(["a", "b"], url);
            var token = await cluster.AgentTokenAsync();
            (await cluster.SubmitAsync(0, "noop", parts)).ShouldBe(1);
            await using var agentA = ShoalProcess.Start(cluster.Dir, null, "agent", "--server", cluster.Servers[0].Url, "--token-file", token,
                "--types", "noop", "--concurrency", "4", "--wait", "2", "--run", "sleep 0.01");
            await using var agentB = ShoalProcess.Start(cluster.Dir, null, "agent", "--server", cluster.Servers[1].Url, "--token-file", token,
                "--types", "noop", "--concurrency", "4", "--wait", "2", "--run", "sleep 0.01");
            await Poll.UntilAsync(async () => await cluster.DoneAsync() >= parts / 4, 120);

            PostgresTestDatabase.Cluster("restart", env);

            await Poll.UntilAsync(async () => await cluster.StreamStateAsync(0, 1) == "completed", 240);
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
}
