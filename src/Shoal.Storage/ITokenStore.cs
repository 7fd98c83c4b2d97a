using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage;

/// <summary>API tokens, kept by hash. A role of <see cref="IShoalStore"/>.</summary>
public interface ITokenStore
{
    /// <summary>Stores a token (by hash; the same hash twice is one token) and returns its id.</summary>
    Task<long> AddTokenAsync(TokenRecord token, CancellationToken ct);

    Task<TokenRecord?> FindTokenAsync(string hash, CancellationToken ct);

    Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken ct);

    /// <summary>Revokes a token by id; false when there is no such live token.</summary>
    Task<bool> RevokeTokenAsync(long id, DateTimeOffset now, CancellationToken ct);
}
