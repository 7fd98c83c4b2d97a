using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Shoal.Server.Hosting;

/// <summary>
/// The REST port's connection cap, <c>max_connections</c>, that idle connections cannot fill: a connection that comes
/// at the cap closes the one idle the longest — between requests, never signed in first — to make room, and is itself
/// closed only when every other one is in a request. Kestrel alone refused every newcomer while 10,000 kept-alive
/// connections each sent one <c>GET /health</c> a minute (no token needed), locking agents and operators out for as
/// long as that went on. A long-polling agent is in a request while it waits, so it is never the one closed.
/// </summary>
internal sealed class ConnectionCap(int cap, TimeProvider time, ILogger logger)
{
    /// <summary>Connections Kestrel lets in above the cap, so that they reach this and make room (Kestrel refuses past them).</summary>
    public const int Headroom = 256;

    private static readonly TimeSpan SayAtMostEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Tracked> _open = new(StringComparer.Ordinal);
    private long _closed;
    private long _saidAt = long.MinValue;

    /// <summary>Idle connections closed to make room since the start.</summary>
    public long Closed => Interlocked.Read(ref _closed);

    public int Open => _open.Count;

    /// <summary>The connection middleware: tracks the connection and, past the cap, makes room or refuses it.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> Middleware() => next => async connection =>
    {
        var tracked = new Tracked(connection, time.GetTimestamp());
        connection.Features.Set(tracked);
        _open[connection.ConnectionId] = tracked;
        try
        {
            if (_open.Count > cap && !MakeRoom(tracked))
            {
                return; // every other connection is working: this one is closed unanswered, as Kestrel would
            }

            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _open.TryRemove(connection.ConnectionId, out _);
        }
    };

    /// <summary>A request starts on the connection (its headers are in).</summary>
    public static void Begin(HttpContext context) => context.Features.Get<Tracked>()?.Begin();

    /// <summary>The request ended; <paramref name="signedIn"/>: it carried a valid token (or session).</summary>
    public void End(HttpContext context, bool signedIn) => context.Features.Get<Tracked>()?.End(time.GetTimestamp(), signedIn);

    private bool MakeRoom(Tracked newcomer)
    {
        var victim = _open.Values
            .Where(t => t != newcomer && t.Idle && !t.Closing)
            .OrderBy(t => t.SignedIn)
            .ThenBy(t => t.LastActive)
            .FirstOrDefault();
        if (victim is null || !victim.Close())
        {
            return false;
        }

        Interlocked.Increment(ref _closed);
        var now = time.GetTimestamp();
        var said = Interlocked.Read(ref _saidAt);
        if (said == long.MinValue || time.GetElapsedTime(said, now) >= SayAtMostEvery)
        {
            Interlocked.Exchange(ref _saidAt, now);
            Log.IdleConnectionsClosed(logger, cap, Closed);
        }

        return true;
    }

    /// <summary>One REST connection: requests in flight, when it was last active, whether it ever signed in.</summary>
    internal sealed class Tracked(ConnectionContext connection, long opened)
    {
        private int _inRequest;
        private int _closing;

        public long LastActive { get; private set; } = opened;

        public bool SignedIn { get; private set; }

        public bool Idle => Volatile.Read(ref _inRequest) == 0;

        public bool Closing => Volatile.Read(ref _closing) == 1;

        public void Begin() => Interlocked.Increment(ref _inRequest);

        public void End(long now, bool signedIn)
        {
            LastActive = now;
            SignedIn |= signedIn;
            Interlocked.Decrement(ref _inRequest);
        }

        public bool Close()
        {
            if (Interlocked.Exchange(ref _closing, 1) == 1)
            {
                return false;
            }

            connection.Abort(new ConnectionAbortedException("closed to make room at the connection cap"));
            return true;
        }
    }
}
