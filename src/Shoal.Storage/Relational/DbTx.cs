using System.Data.Common;

namespace Shoal.Storage.Relational;

/// <summary>
/// One open transaction of a relational store, with its statements cached for reuse. The dialect gives the
/// statements that differ between SQLite and PostgreSQL.
/// </summary>
internal sealed class DbTx(DbConnection connection, DbTransaction? transaction, Dictionary<string, DbCommand> cache, SqlDialect dialect)
{
    private int _fresh;

    public SqlDialect Sql => dialect;

    /// <summary>Set by steps that make parts ready to lease; a clustered store tells the other servers on commit.</summary>
    public bool WorkReady { get; set; }

    public DbCommand Command(string sql, params (string Name, object? Value)[] args)
    {
        if (!dialect.ReuseCommands || !cache.TryGetValue(sql, out var cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            cache[dialect.ReuseCommands ? sql : sql + "\0" + _fresh++] = cmd;
        }

        cmd.Transaction = transaction;
        cmd.Parameters.Clear();
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            dialect.Type(p, value);
            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    public int Exec(string sql, params (string, object?)[] args) => Command(sql, args).ExecuteNonQuery();

    public long Long(string sql, params (string, object?)[] args) =>
        Command(sql, args).ExecuteScalar() is { } v and not DBNull ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : 0;

    public List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string, object?)[] args)
    {
        var list = new List<T>();
        using var reader = Command(sql, args).ExecuteReader();
        while (reader.Read())
        {
            list.Add(map(reader));
        }

        return list;
    }

    public T? One<T>(string sql, Func<DbDataReader, T> map, params (string, object?)[] args)
        where T : class
    {
        using var reader = Command(sql, args).ExecuteReader();
        return reader.Read() ? map(reader) : null;
    }
}
