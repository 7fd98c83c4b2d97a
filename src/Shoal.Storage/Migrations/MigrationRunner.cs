using System.Data.Common;
using System.Reflection;

namespace Shoal.Storage.Migrations;

/// <summary>
/// Applies the embedded, numbered <c>Migrations/&lt;store&gt;/NNN_name.sql</c> scripts that a database has not seen yet,
/// all in one transaction. Both stores have the same numbered versions.
/// </summary>
internal static class MigrationRunner
{
    public const string SqliteFolder = "Sqlite";
    public const string PostgresFolder = "Postgres";

    public static IReadOnlyList<(int Version, string Sql)> Scripts(string folder)
    {
        var asm = typeof(MigrationRunner).Assembly;
        var marker = $".Migrations.{folder}.";
        return asm.GetManifestResourceNames()
            .Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Version: VersionOf(n, marker), Sql: Read(asm, n)))
            .OrderBy(s => s.Version)
            .ToList();
    }

    /// <summary>Applies what is missing; <paramref name="exclusive"/> (if given) first makes concurrent runs wait for each other.</summary>
    public static int Apply(DbConnection connection, string folder, string? exclusive)
    {
        using var tx = connection.BeginTransaction();
        if (exclusive is not null)
        {
            Exec(connection, tx, exclusive);
        }

        Exec(connection, tx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");

        var current = CurrentVersion(connection, tx);
        var applied = 0;
        foreach (var (version, sql) in Scripts(folder).Where(s => s.Version > current))
        {
            Exec(connection, tx, sql);
            Exec(connection, tx, $"INSERT INTO schema_version (version) VALUES ({version})");
            applied++;
        }

        tx.Commit();
        return applied;
    }

    /// <summary>The database's version (0 when it has none) and the newest version this build knows.</summary>
    public static (int Current, int Latest) Status(DbConnection connection, string folder)
    {
        using var probe = connection.CreateCommand();
        probe.CommandText = folder == SqliteFolder
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = current_schema()";
        var exists = Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
        var latest = Scripts(folder).Max(s => s.Version);
        return (exists ? CurrentVersion(connection, null) : 0, latest);
    }

    private static int CurrentVersion(DbConnection connection, DbTransaction? tx)
    {
        using var read = connection.CreateCommand();
        read.Transaction = tx;
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Exec(DbConnection connection, DbTransaction? tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static int VersionOf(string resource, string marker)
    {
        var file = resource[(resource.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].TrimStart('_');
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
