using Npgsql;

namespace Shoal.Bench;

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
