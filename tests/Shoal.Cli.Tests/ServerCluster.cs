using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Npgsql;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>Servers sharing one schema, each in a folder of its own with its own port and name.</summary>
internal sealed class ServerCluster : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ServerCluster(string dir, string connectionString)
    {
        Dir = dir;
        ConnectionString = connectionString;
    }

    public string Dir { get; }

    public string ConnectionString { get; }

    public List<(string Name, string Url, string StateDir, ShoalProcess Process)> Servers { get; } = [];

    public List<int> Live => Enumerable.Range(0, Servers.Count).Where(i => !Servers[i].Process.Process.HasExited).ToList();

    /// <summary>
    /// Starts the servers one after the other (each is up before the next starts, so the first one leads);
    /// <paramref name="envOf"/> gives a server's extra environment (e.g. a skewed clock), by name.
    /// </summary>
    public static async Task<ServerCluster> StartAsync(
        string[] names, string connectionString, int leaseSeconds = 3, Func<string, IDictionary<string, string>?>? envOf = null)
    {
        var cluster = new ServerCluster(Directory.CreateTempSubdirectory("shoal-cluster-").FullName, connectionString);
        Directory.CreateDirectory(Path.Combine(cluster.Dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(cluster.Dir, "agents", "noop.conf"), $"[default]\nkind = pull\nlease = {leaseSeconds}\n", Ct);
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
            var server = (name, $"http://127.0.0.1:{port}", Path.Combine(cluster.Dir, name), ShoalProcess.Start(cluster.Dir, envOf?.Invoke(name), "server", "--config", conf));
            cluster.Servers.Add(server);
            await Poll.UntilAsync(() => File.Exists(Path.Combine(server.Item3, "server.url")) || server.Item4.Process.HasExited, 60);
            if (server.Item4.Process.HasExited)
            {
                // The servers already started must not outlive the failed test.
                var stderr = server.Item4.Stderr;
                await cluster.DisposeAsync();
                throw new InvalidOperationException($"server {name} exited before it listened: {stderr}");
            }
        }

        var admin = (await File.ReadAllTextAsync(Path.Combine(cluster.Servers[0].StateDir, "admin.token"), Ct)).Trim();
        cluster._http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        return cluster;
    }

    /// <summary>An agent token made on the first server (tokens are in the shared store); returns its file.</summary>
    public async Task<string> AgentTokenAsync(string name = "cluster-test")
    {
        var created = await _http.PostAsJsonAsync($"{Servers[0].Url}/api/v1/tokens", new TokenCreateRequest("agent", name, []), ShoalJson.Options, Ct);
        created.EnsureSuccessStatusCode();
        var file = Path.Combine(Dir, name + ".token");
        await File.WriteAllTextAsync(file, (await created.Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options, Ct))!.Token, Ct);
        return file;
    }

    public Task<long> SubmitAsync(int server, string type, int count) =>
        SubmitAsync(server, new { name = "cluster", jobs = new[] { new { name = "work", type, parts = Enumerable.Range(0, count).Select(i => $"p{i}").ToArray() } } });

    /// <summary>Submits a stream (any JSON-serializable spec) through a server; returns its id.</summary>
    public async Task<long> SubmitAsync(int server, object spec)
    {
        var answer = await _http.PostAsJsonAsync($"{Servers[server].Url}/api/v1/streams", spec, Ct);
        answer.EnsureSuccessStatusCode();
        return (await answer.Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options, Ct))!.Id;
    }

    public async Task<StreamDto> StreamAsync(int server, long id) =>
        (await _http.GetFromJsonAsync<StreamDto>($"{Servers[server].Url}/api/v1/streams/{id}", ShoalJson.Options, Ct))!;

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
