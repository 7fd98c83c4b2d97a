using System.Diagnostics;
using Npgsql;

namespace Shoal.Storage.Tests.Postgres;

/// <summary>
/// The real PostgreSQL server the tests use: <c>SHOAL_TEST_POSTGRES</c> (exported by <c>.ci/run</c>), or else the
/// private cluster of <c>scripts/pg-cluster.sh</c>, started on first use. Each test gets a schema of its own.
/// </summary>
public static class PostgresTestDatabase
{
    private static readonly Lazy<string> Server = new(Locate);

    /// <summary>The connection string of the server (its default schema).</summary>
    public static string ConnectionString => Server.Value;

    /// <summary>A new empty schema; the returned connection string uses it.</summary>
    public static async Task<string> CreateSchemaAsync(CancellationToken ct)
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"CREATE SCHEMA {name}", connection);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = name }.ConnectionString;
    }

    /// <summary>Runs <c>scripts/pg-cluster.sh</c> with <paramref name="verb"/> (start, stop, restart); <c>SHOAL_PG_DIR</c> in <paramref name="env"/> picks another cluster.</summary>
    public static string Cluster(string verb, IDictionary<string, string>? env = null)
    {
        var script = Path.Combine(FindRoot(), "scripts", "pg-cluster.sh");
        var psi = new ProcessStartInfo(script, verb) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"pg-cluster.sh {verb} failed: {error}");
    }

    private static string Locate() =>
        Environment.GetEnvironmentVariable("SHOAL_TEST_POSTGRES") is { Length: > 0 } url ? url : Cluster("start");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Shoal.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
