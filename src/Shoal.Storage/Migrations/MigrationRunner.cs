using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Shoal.Storage.Migrations;

/// <summary>Applies the embedded, numbered <c>Migrations/NNN_name.sql</c> scripts that a database has not seen yet.</summary>
internal static class MigrationRunner
{
    public static IReadOnlyList<(int Version, string Sql)> Scripts()
    {
        var asm = typeof(MigrationRunner).Assembly;
        return asm.GetManifestResourceNames()
            .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Version: VersionOf(n), Sql: Read(asm, n)))
            .OrderBy(s => s.Version)
            .ToList();
    }

    public static int Apply(SqliteConnection connection)
    {
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
            create.ExecuteNonQuery();
        }

        using var tx = connection.BeginTransaction(deferred: false);
        using var read = connection.CreateCommand();
        read.Transaction = tx;
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        var current = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var applied = 0;
        foreach (var (version, sql) in Scripts().Where(s => s.Version > current))
        {
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql + $"; INSERT INTO schema_version (version) VALUES ({version});";
            cmd.ExecuteNonQuery();
            applied++;
        }

        tx.Commit();
        return applied;
    }

    private static int VersionOf(string resource)
    {
        var file = resource[(resource.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..].TrimStart('_');
        var digits = new string(file.TakeWhile(char.IsDigit).ToArray());
        return int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Read(Assembly asm, string name)
    {
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
