using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Shoal.Contracts;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>Marks endpoints that agent tokens may call (lease, heartbeat, report, check in).</summary>
internal sealed class AgentAccess
{
    public static readonly AgentAccess Instance = new();
}

/// <summary>
/// Bearer tokens for <c>/api/v1</c>: missing, unknown or revoked → 401; an agent token on an endpoint
/// that is not an agent's → 403. Tokens are stored as SHA-256 hashes only.
/// </summary>
internal sealed class TokenAuth(IShoalStore store)
{
    public const string AdminRole = "admin";
    public const string AgentRole = "agent";
    private const string ItemKey = "shoal.token";

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    /// <summary>The token that authenticated this request.</summary>
    public static TokenRecord Caller(HttpContext context) => (TokenRecord)context.Items[ItemKey]!;

    /// <summary>A new random token (256 bits).</summary>
    public static string NewToken() => "shoal_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

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
            await Refuse(context, StatusCodes.Status401Unauthorized, token is null ? "unknown token" : "revoked token").ConfigureAwait(false);
            return;
        }

        var agentEndpoint = context.GetEndpoint()?.Metadata.GetMetadata<AgentAccess>() is not null;
        if (token.Role != AdminRole && !(agentEndpoint && token.Role == AgentRole))
        {
            await Refuse(context, StatusCodes.Status403Forbidden, $"an {token.Role} token may not do this").ConfigureAwait(false);
            return;
        }

        context.Items[ItemKey] = token;
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
