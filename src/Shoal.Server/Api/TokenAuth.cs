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
/// that is not an agent's → 403. Tokens are stored as SHA-256 hashes only. A token read from the store is
/// remembered for two seconds, so that a busy agent does not cost a read per request; a revocation made
/// here applies at once, one made on another server of the cluster within those two seconds.
/// </summary>
internal sealed class TokenAuth(ITokenStore store, Api.DashboardSessions sessions, Hosting.ConfigHolder config, TimeProvider time)
{
    private const long CacheMs = 2000;

    /// <summary>The shortest token accepted anywhere (Shoal's own are 70 characters; an operator's admin.token must reach this).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (TokenRecord? Token, long At)> _cache = new(StringComparer.Ordinal);

    public const string AdminRole = "admin";
    public const string AgentRole = "agent";
    private const string ItemKey = "shoal.token";

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    /// <summary>The token that authenticated this request.</summary>
    public static TokenRecord Caller(HttpContext context) => (TokenRecord)context.Items[ItemKey]!;

    /// <summary>Whether this request carried a token, or an admin's dashboard session (a public dashboard's viewer did not).</summary>
    public static bool SignedIn(HttpContext context) => context.Items.TryGetValue(ItemKey, out var caller) && caller is TokenRecord { Role: AdminRole or AgentRole };

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
            await BrowserAsync(context, next).ConfigureAwait(false);
            return;
        }

        // An empty or short token is never looked up: it cannot be a token Shoal made (and "" must not match anything).
        if (header["Bearer ".Length..].Trim().Length < Hosting.StateFiles.MinTokenLength)
        {
            await Refuse(context, StatusCodes.Status401Unauthorized, $"a token has at least {Hosting.StateFiles.MinTokenLength} characters").ConfigureAwait(false);
            return;
        }

        var token = await FindAsync(Hash(header["Bearer ".Length..]), context.RequestAborted).ConfigureAwait(false);

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

    /// <summary>
    /// A request without a bearer token, from the dashboard: a signed-in session acts as an admin, and every request
    /// that changes something must carry the session's CSRF token; without a session, only the dashboard's reads,
    /// and only when the dashboard is public.
    /// </summary>
    private async Task BrowserAsync(HttpContext context, RequestDelegate next)
    {
        var read = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        var cookie = context.Request.Cookies[Api.DashboardSessions.Cookie];
        if (sessions.Find(cookie) is { } session)
        {
            if (await FindAsync(session.TokenHash, context.RequestAborted).ConfigureAwait(false) is not { RevokedAt: null })
            {
                sessions.End(cookie!);
                await Refuse(context, StatusCodes.Status401Unauthorized, "the token this session signed in with was revoked").ConfigureAwait(false);
                return;
            }

            if (!read && !Api.DashboardSessions.CsrfMatches(session, context.Request.Headers[Api.DashboardSessions.CsrfHeader]))
            {
                await Refuse(context, StatusCodes.Status403Forbidden, "missing or wrong CSRF token").ConfigureAwait(false);
                return;
            }

            context.Items[ItemKey] = new TokenRecord("", AdminRole, "dashboard", time.GetUtcNow(), null, []);
            await next(context).ConfigureAwait(false);
            return;
        }

        if (read && config.Current.Dashboard.Public && context.GetEndpoint()?.Metadata.GetMetadata<DashboardRead>() is not null)
        {
            context.Items[ItemKey] = new TokenRecord("", "viewer", "dashboard", time.GetUtcNow(), null, []);
            await next(context).ConfigureAwait(false);
            return;
        }

        await Refuse(context, StatusCodes.Status401Unauthorized, "missing bearer token").ConfigureAwait(false);
    }

    /// <summary>
    /// The token of hash <paramref name="hash"/>, remembered for up to 2 s (a revocation on another server of the cluster
    /// is seen within that; <see cref="Forget"/> clears this server's at once). Every way in — bearer, dashboard session,
    /// command port — asks here, so a revoked token ends them all.
    /// </summary>
    public async Task<TokenRecord?> FindAsync(string hash, CancellationToken ct)
    {
        // A cache, not a deadline: its age is measured on the machine's clock even under a test clock.
        if (_cache.TryGetValue(hash, out var known) && Environment.TickCount64 - known.At < CacheMs && known.Token is not null)
        {
            return known.Token;
        }

        var token = await store.FindTokenAsync(hash, ct).ConfigureAwait(false);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[hash] = (token, Environment.TickCount64);
        return token;
    }

    /// <summary>Forgets every remembered token (after a revocation).</summary>
    public void Forget() => _cache.Clear();

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
