using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Shoal.Contracts;
using Shoal.Storage.Tests.Postgres;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// Two real servers on one PostgreSQL, one of them on a machine clock 30 s slow (libfaketime, Debian's
/// <c>faketime</c> package): both keep the database's time, so a lease taken through the slow one is not re-issued
/// at once by the leader, and the skew is shown.
/// </summary>
[Collection(nameof(ClusterTests))]
public sealed class ClusterClockTests
{
    private const string FakeTime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AServerWhoseClockIs30sSlow_LeasesOnTheDatabasesTime_AndShowsItsSkew()
    {
        File.Exists(FakeTime).ShouldBeTrue($"{FakeTime} is missing: apt-get install faketime (.ci/run does)");
        var slow = new Dictionary<string, string> { ["LD_PRELOAD"] = FakeTime, ["FAKETIME"] = "-30s", ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1" };
        // No command time-out: under libfaketime Npgsql's read time-outs fire at once now and then ("Timeout during
        // reading attempt" in the migration), an artefact of the preloaded library, not of a slow clock.
        await using var cluster = await ServerCluster.StartAsync(["a", "b"], await PostgresTestDatabase.CreateSchemaAsync(Ct) + ";Command Timeout=0", leaseSeconds: 20,
            envOf: name => name == "b" ? slow : null);
        var token = (await File.ReadAllTextAsync(await cluster.AgentTokenAsync(), Ct)).Trim();
        using var agent = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // b measured its offset before it served: its /health says so.
        var health = (await agent.GetFromJsonAsync<HealthResponse>($"{cluster.Servers[1].Url}/health", ShoalJson.Options, Ct))!;
        health.ClockOffsetSeconds.ShouldBeInRange(28, 32);
        health.Warnings.ShouldNotBeNull().ShouldContain(w => w.StartsWith("clock: this machine's clock is ", StringComparison.Ordinal) && w.Contains(" s behind the database's"));
        (await agent.GetFromJsonAsync<HealthResponse>($"{cluster.Servers[0].Url}/health", ShoalJson.Options, Ct))!.ClockOffsetSeconds.ShouldBeInRange(-1, 1);

        // A 20 s lease through the slow server ends 20 s from now on the database's clock (it ended 10 s ago on b's own).
        (await cluster.SubmitAsync(0, "noop", 1)).ShouldBe(1);
        var answer = await agent.PostAsJsonAsync($"{cluster.Servers[1].Url}/api/v1/lease", new LeaseRequestDto(["noop"], 1, 5), ShoalJson.Options, Ct);
        var part = (await answer.Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct))!.Parts.Single();
        var (deadline, database) = await DeadlineAsync(cluster.ConnectionString, part.PartId);
        (deadline - database).TotalSeconds.ShouldBeInRange(16, 21, "the lease's deadline as stored, against the database's clock");
        (part.Deadline - database).TotalSeconds.ShouldBeInRange(16, 21, "the deadline the agent is told");

        // The leader (a) runs expiry every half second: the lease is still b's to extend.
        await Poll.UntilAsync(async () => (await cluster.ServersAsync(0)).Single(s => s.Name == "b").ClockOffsetMs is > 28_000 and < 32_000, 30);
        var beat = await agent.PostAsJsonAsync($"{cluster.Servers[1].Url}/api/v1/parts/{part.PartId}/heartbeat", new HeartbeatRequest(part.LeaseId), ShoalJson.Options, Ct);
        (await beat.Content.ReadFromJsonAsync<HeartbeatResponse>(ShoalJson.Options, Ct))!.Extended.ShouldBeTrue("the leader did not take the lease back");

        var status = await ShoalProcess.RunAsync(cluster.Dir, "status", "--servers", "--state-dir", cluster.Servers[0].StateDir);
        status.Code.ShouldBe(0, status.Stderr);
        status.Stdout.ShouldContain("s behind the database (skewed)");
        var json = await ShoalProcess.RunAsync(cluster.Dir, "status", "--servers", "--json", "--state-dir", cluster.Servers[0].StateDir);
        JsonSerializer.Deserialize<List<ServerDto>>(json.Stdout, ShoalJson.Options)!.Single(s => s.Name == "a").ClockOffsetMs.ShouldBeInRange(-1000, 1000);
        cluster.Servers[1].Process.Stderr.ShouldContain("s behind the database's; it is skewed past 1 s");
    }

    private static async Task<(DateTimeOffset Deadline, DateTimeOffset Database)> DeadlineAsync(string connectionString, long part)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT deadline, CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT) FROM parts WHERE id = @id", connection);
        cmd.Parameters.AddWithValue("id", part);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        (await r.ReadAsync(Ct)).ShouldBeTrue();
        return (DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)));
    }
}
