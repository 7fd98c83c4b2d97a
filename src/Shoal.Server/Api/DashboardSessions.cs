using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Shoal.Server.Hosting;

namespace Shoal.Server.Api;

/// <summary>
/// Signed-in dashboard sessions: a random id in an HttpOnly, SameSite=Strict cookie, and a CSRF token the page
/// sends back in <c>X-CSRF-Token</c> with every action. Kept in this server's memory: signing in is per server.
/// </summary>
internal sealed class DashboardSessions(ConfigHolder config, TimeProvider time)
{
    public const string Cookie = "shoal_session";
    public const string CsrfHeader = "X-CSRF-Token";
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>A session signed in with the token of hash <paramref name="tokenHash"/>; it lives only while that token does.</summary>
    public (string Id, Session Session) Create(string tokenHash)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var session = new Session(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), time.GetUtcNow() + config.Current.Dashboard.Session, tokenHash);
        _sessions[id] = session;
        return (id, session);
    }

    /// <summary>The live session of the cookie, if any.</summary>
    public Session? Find(string? id)
    {
        if (id is null || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        if (session.Expires > time.GetUtcNow())
        {
            return session;
        }

        _sessions.TryRemove(id, out _);
        return null;
    }

    public void End(string id) => _sessions.TryRemove(id, out _);

    /// <summary>Whether <paramref name="sent"/> is the session's CSRF token (compared in constant time).</summary>
    public static bool CsrfMatches(Session session, string? sent) =>
        sent is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(session.Csrf), Encoding.UTF8.GetBytes(sent));

    internal sealed record Session(string Csrf, DateTimeOffset Expires, string TokenHash);
}

/// <summary>Marks <c>/api/v1</c> GET endpoints the dashboard reads, which anyone may read when <c>[DASHBOARD] public = yes</c>.</summary>
internal sealed class DashboardRead
{
    public static readonly DashboardRead Instance = new();
}
