namespace Shoal.Server.Hosting;

/// <summary>
/// The time every part of the server reads: the injected <see cref="TimeProvider"/> plus this server's offset to the
/// database's clock. Lease deadlines are set by the server that leases and enforced by the leader, so the servers of a
/// cluster keep time by one clock, the database's; on SQLite the offset stays zero. Timers and timestamps are the
/// inner provider's, so tests on fake time stay on fake time.
/// </summary>
public sealed class ClusterClock(TimeProvider inner) : TimeProvider
{
    /// <summary>An offset beyond this is logged and shown (<c>/health</c>, <c>shoal status --servers</c>).</summary>
    public static readonly TimeSpan SkewWarning = TimeSpan.FromSeconds(1);

    private long _offsetTicks;

    /// <summary>How far this machine's clock is behind the database's (negative when ahead).</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public bool Skewed => Offset.Duration() > SkewWarning;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);

    /// <summary>
    /// Takes one reading of the database's clock, <paramref name="database"/>, made between the machine's clock readings
    /// <paramref name="sent"/> and <paramref name="received"/>: the offset is taken from the middle of the round trip.
    /// Readings over a slow round trip (over 250 ms) say too little and are dropped. Returns whether it was used.
    /// </summary>
    public bool Measure(DateTimeOffset sent, DateTimeOffset database, DateTimeOffset received)
    {
        var trip = received - sent;
        if (trip < TimeSpan.Zero || trip > TimeSpan.FromMilliseconds(250))
        {
            return false;
        }

        Interlocked.Exchange(ref _offsetTicks, (database - (sent + (trip / 2))).Ticks);
        return true;
    }
}
