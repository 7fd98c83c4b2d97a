using Microsoft.Data.Sqlite;

namespace Shoal.Storage.Sqlite;

/// <summary>One open transaction on the write connection, with its statements cached for reuse.</summary>
internal sealed class SqliteTx(SqliteConnection connection, SqliteTransaction? transaction, Dictionary<string, SqliteCommand> cache)
{
    public SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
    {
        if (!cache.TryGetValue(sql, out var cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            cache[sql] = cmd;
        }

        cmd.Transaction = transaction;
        cmd.Parameters.Clear();
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    public int Exec(string sql, params (string, object?)[] args) => Command(sql, args).ExecuteNonQuery();

    public long Long(string sql, params (string, object?)[] args) =>
        Command(sql, args).ExecuteScalar() is { } v and not DBNull ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : 0;

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string, object?)[] args)
    {
        var list = new List<T>();
        using var reader = Command(sql, args).ExecuteReader();
        while (reader.Read())
        {
            list.Add(map(reader));
        }

        return list;
    }

    public T? One<T>(string sql, Func<SqliteDataReader, T> map, params (string, object?)[] args)
        where T : class
    {
        using var reader = Command(sql, args).ExecuteReader();
        return reader.Read() ? map(reader) : null;
    }
}
