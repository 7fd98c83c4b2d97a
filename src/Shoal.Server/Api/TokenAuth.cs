using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Shoal.Contracts;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>
/// Bearer tokens for <c>/api/v1</c>: missing or unknown → 401, wrong role → 403.
/// Tokens are stored as SHA-256 hashes only.
/// </summary>
internal sealed class TokenAuth(IShoalStore store)
{
    public const string AdminRole = "admin";

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments("/api/v1", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await Refuse(context, StatusCodes.Status401Unauthorized, "missing bearer token").ConfigureAwait(false);
            return;
        }

        var token = await store.FindTokenAsync(Hash(header["Bearer ".Length..]), context.RequestAborted).ConfigureAwait(false);
        if (token is null || token.RevokedAt is not null)
        {
            await Refuse(context, StatusCodes.Status401Unauthorized, "unknown or revoked token").ConfigureAwait(false);
            return;
        }

        if (token.Role != AdminRole)
        {
            await Refuse(context, StatusCodes.Status403Forbidden, $"a {token.Role} token may not do this").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static Task Refuse(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return context.Response.WriteAsJsonAsync(new ProblemDto(status == 401 ? "unauthorized" : "forbidden", status, detail), ShoalJson.Options, "application/problem+json");
    }
}
