using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Server.Spawned;
using Shoal.Server.Hosting;
using Shoal.Server.Pull;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>Admin endpoints: tokens (create, list, revoke) and force-run.</summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/tokens", CreateTokenAsync).Takes<TokenCreateRequest>().Produces<TokenCreated>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/tokens", async (ITokenStore store, CancellationToken ct) =>
            Results.Json((await store.ListTokensAsync(ct).ConfigureAwait(false)).Select(t => new TokenDto(t.Id, t.Role, t.Name, t.Tags, t.CreatedAt, t.RevokedAt)).ToList(), ShoalJson.Options));
        api.MapPost("/tokens/{id}/revoke", async (string id, ITokenStore store, TokenAuth auth, TimeProvider time, CancellationToken ct) =>
        {
            if (!long.TryParse(id, out var n))
            {
                return Problems.BadRequest($"token id '{id}' is not a number");
            }

            var revoked = await store.RevokeTokenAsync(n, time.GetUtcNow(), ct).ConfigureAwait(false);
            auth.Forget();
            return revoked ? Results.Json(new { id = n, revoked = true }, ShoalJson.Options) : Problems.NotFound($"no live token {n}");
        });
    }

    private static async Task<IResult> CreateTokenAsync(HttpContext http, ITokenStore store, ConfigHolder config, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<TokenCreateRequest>(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        var role = body.Role;
        if (role is not (TokenAuth.AgentRole or TokenAuth.AdminRole))
        {
            return Problems.BadRequest("'role' must be \"agent\" or \"admin\"");
        }

        var name = body.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100 || name.Any(char.IsWhiteSpace))
        {
            return Problems.BadRequest("'name' must be 1 to 100 characters without spaces");
        }

        var tags = new List<string>();
        if (body.Tags is not null)
        {
            if (body.Tags.Any(string.IsNullOrWhiteSpace))
            {
                return Problems.BadRequest("'tags' must be an array of non-empty strings");
            }

            tags = body.Tags.Distinct().ToList();
            if (tags.FirstOrDefault(tag => TagProblem(tag) is not null) is { } bad)
            {
                return Problems.BadRequest($"'tags': '{bad}' {TagProblem(bad)}");
            }
        }

        var token = TokenAuth.NewToken();
        var id = await store.AddTokenAsync(new TokenRecord(TokenAuth.Hash(token), role, name, time.GetUtcNow(), null, tags), ct).ConfigureAwait(false);
        return Results.Json(new TokenCreated(id, token, role, name, tags), ShoalJson.Options, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>
    /// What is wrong with a tag: letters, digits and <c>. _ - : / *</c> only; a <c>host:</c> tag (the hosts a token may
    /// check in as) names one host or is <c>host:*</c>, and is written in lower case as <c>host:</c>.
    /// </summary>
    private static string? TagProblem(string tag) =>
        !tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/' or '*') ? "may hold only letters, digits and . _ - : / *"
        : tag.StartsWith("host:", StringComparison.OrdinalIgnoreCase) && !tag.StartsWith("host:", StringComparison.Ordinal) ? "must be written 'host:…'"
        : tag.StartsWith("host:", StringComparison.Ordinal) && tag != "host:*" && Core.Sweeps.HostName.Problem(tag[5..]) is { } host ? $"names a host that {host}"
        : null;
}
