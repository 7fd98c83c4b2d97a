using System.Text.Json;
using System.Data.Common;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string TokenSelect = "SELECT hash, role, name, created_at, revoked_at, tags, rowid FROM tokens";

    public Task<long> AddTokenAsync(TokenRecord token, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            tx.Exec(
                "INSERT INTO tokens (hash, role, name, created_at, tags) VALUES (@hash, @role, @name, @now, @tags) ON CONFLICT DO NOTHING",
                ("@hash", token.Hash), ("@role", token.Role), ("@name", token.Name), ("@now", Ms(token.CreatedAt)),
                ("@tags", token.Tags.Count == 0 ? null : JsonSerializer.Serialize(token.Tags)));
            return tx.Long("SELECT rowid FROM tokens WHERE hash = @hash", ("@hash", token.Hash));
        }, ct);

    public Task<TokenRecord?> FindTokenAsync(string hash, CancellationToken ct) =>
        ReadAsync(tx => tx.One(TokenSelect + " WHERE hash = @hash", MapToken, ("@hash", hash)), ct);

    public Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<TokenRecord>>(tx => tx.Query(TokenSelect + " ORDER BY rowid", MapToken), ct);

    public Task<bool> RevokeTokenAsync(long id, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => tx.Exec("UPDATE tokens SET revoked_at = @now WHERE rowid = @id AND revoked_at IS NULL", ("@now", Ms(now)), ("@id", id)) == 1, ct);

    public Task<string> GetOrCreateSettingAsync(string key, Func<string> create, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            tx.Exec("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT DO NOTHING", ("@key", key), ("@value", create()));
            return tx.One("SELECT value FROM settings WHERE key = @key", r => r.GetString(0), ("@key", key))!;
        }, ct);

    private static TokenRecord MapToken(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        FromMs(r.GetValue(3))!.Value,
        FromMs(r.GetValue(4)),
        r.IsDBNull(5) ? [] : JsonSerializer.Deserialize<List<string>>(r.GetString(5))!,
        r.GetInt64(6));
}
