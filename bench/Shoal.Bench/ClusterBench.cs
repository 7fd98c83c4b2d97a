using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using Shoal.Agent;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Server.Hosting;

namespace Shoal.Bench;

/// <summary>
/// Shoal on PostgreSQL with 1, 2, 3… servers (in this process, each with its own port, name and state folder,
/// all on one schema): pull agents spread over the servers lease a batch and report it in one request, over REST.
/// </summary>
internal static class ClusterBench
{
    public static async Task<double> RunAsync(string postgres, int servers, int parts, int agents, int batch, int streams)
    {
        var schema = await Postgres.FreshSchemaAsync(postgres, $"shoal_bench_{servers}");
        var apps = new List<WebApplication>();
        string? adminToken = null;
        for (var i = 0; i < servers; i++)
        {
            var dir = Directory.CreateTempSubdirectory("shoal-bench-cluster-").FullName;
            Directory.CreateDirectory(Path.Combine(dir, "agents"));
            await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), $"[SCHEDULER]\nname = bench{i}\nport = 0\ncommand_port = 0\n[STORE]\npostgres = {schema}\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "agents", "noop.conf"), "[default]\nkind = pull\nlease = 300\n");
            var config = ConfigLoader.Load(Path.Combine(dir, "shoal.conf"));
            adminToken ??= StateFiles.EnsureAdminToken(config.StateDir);
            var app = await ShoalServer.BuildAsync(config, CancellationToken.None, minLevel: Microsoft.Extensions.Logging.LogLevel.Warning, publishUrl: false);
            await app.StartAsync();
            apps.Add(app);
        }

        using var admin = new HttpClient { BaseAddress = new Uri(apps[0].Url()) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken!);
        var clients = new List<PullAgentClient>();
        for (var i = 0; i < agents; i++)
        {
            var created = await (await admin.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", $"bench{i}"), ShoalJson.Options)).Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options);
            clients.Add(new PullAgentClient(new Uri(apps[i % servers].Url()), created!.Token));
        }

        var watch = Stopwatch.StartNew();
        for (var s = 0; s < streams; s++)
        {
            var share = Enumerable.Range(0, parts).Where(i => i % streams == s);
            var json = $$"""{"name":"bench-{{s}}","jobs":[{"name":"noop","type":"noop","parts":[{{string.Join(",", share.Select(i => $"\"{i}\""))}}]}]}""";
            (await admin.PostAsync("/api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }

        var done = await Task.WhenAll(clients.Select(c => DrainAsync(c, batch)));
        watch.Stop();
        var rate = done.Sum() / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  shoal, {servers} server(s), {agents} pull agents, lease and report batches of {batch}, {streams} stream(s): {done.Sum()} parts in {watch.Elapsed.TotalSeconds:0.00} s -> {rate:0} parts/s");
        clients.ForEach(c => c.Dispose());
        foreach (var app in apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        return done.Sum() == parts ? rate : 0;
    }

    private static async Task<int> DrainAsync(PullAgentClient client, int batch)
    {
        var done = 0;
        while (true)
        {
            var parts = await client.LeaseAsync(["noop"], batch, TimeSpan.Zero, CancellationToken.None);
            if (parts.Count == 0)
            {
                return done;
            }

            // One request reports the batch (POST /api/v1/reports).
            await client.ReportAsync(parts.Select(p => new PartReportDto(p.PartId, p.LeaseId, "ok")).ToList(), CancellationToken.None);
            done += parts.Count;
        }
    }
}

/// <summary>Fresh schemas on the benchmark's PostgreSQL server.</summary>
internal static class Postgres
{
    /// <summary>Drops and creates <paramref name="schema"/>; returns a connection string that uses it.</summary>
    public static async Task<string> FreshSchemaAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}", connection);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
    }
}
