namespace Shoal.Core.Model;

/// <summary>
/// When a part that failed a try is tried again: <see cref="Delay"/> after its first failure, times
/// <see cref="Backoff"/> after each further one, at most <see cref="MaxDelay"/>, spread by ± <see cref="Jitter"/>
/// (a fraction) so that parts failed together do not all come back at once. No delay is the default: at once.
/// </summary>
public sealed record RetryPolicy(TimeSpan Delay, double Backoff = 1, TimeSpan? MaxDelay = null, double Jitter = 0)
{
    /// <summary>Retries at once (no delay).</summary>
    public static readonly RetryPolicy Immediate = new(TimeSpan.Zero);

    public bool IsImmediate => Delay <= TimeSpan.Zero;

    /// <summary>
    /// The wait before try <paramref name="nextAttempt"/> (2 is the first retry); <paramref name="unit"/> is a number
    /// in [0, 1) that places it inside the jitter's range.
    /// </summary>
    public TimeSpan DelayBefore(int nextAttempt, double unit)
    {
        if (IsImmediate)
        {
            return TimeSpan.Zero;
        }

        // The jitter spreads the wait, and the maximum bounds the result: no wait is longer than MaxDelay.
        var ms = Delay.TotalMilliseconds * Math.Pow(Backoff, Math.Max(0, nextAttempt - 2));
        var cap = (MaxDelay ?? TimeSpan.FromDays(1)).TotalMilliseconds;
        ms = double.IsFinite(ms) ? ms : cap;
        ms *= 1 + (Jitter * ((2 * unit) - 1));
        return TimeSpan.FromMilliseconds(Math.Clamp(Math.Round(ms), 0, cap));
    }
}
