using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Shoal.Server.Hosting;

/// <summary>
/// A REST connection must finish its first request's headers between 5 and 10 s after it opens, each connection at its
/// own random moment in that window, or it is closed without an answer. Kestrel's own header time-out checks every
/// connection on one heartbeat, so thousands of idle connections opened together were all failed (a 408 each, on the
/// thread pool) in the same instant, ahead of the requests of honest clients; spread out, they cost nothing visible.
/// Kestrel's 10 s limit still covers every later request of a kept-alive connection.
/// </summary>
internal sealed class FirstRequestDeadline
{
    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(10);

    private int _seen;

    /// <summary>The connection middleware: arms the deadline and marks the connection for <see cref="Seen"/>.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TimeProvider time) => next => async connection =>
    {
        var deadline = new FirstRequestDeadline();
        connection.Features.Set(deadline);
        var after = Shortest + TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32((int)(Longest - Shortest).TotalMilliseconds));
        await using var timer = time.CreateTimer(
            _ =>
            {
                if (Volatile.Read(ref deadline._seen) == 0)
                {
                    connection.Abort(new ConnectionAbortedException("no request headers in time"));
                }
            },
            null,
            after,
            Timeout.InfiniteTimeSpan);
        await next(connection).ConfigureAwait(false);
    };

    /// <summary>Called for every request (its headers are complete): the connection's deadline no longer applies.</summary>
    public static void Seen(HttpContext context)
    {
        if (context.Features.Get<FirstRequestDeadline>() is { } deadline)
        {
            Volatile.Write(ref deadline._seen, 1);
        }
    }
}
