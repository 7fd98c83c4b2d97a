using System.Data.Common;
using System.Text.Json;
using Shoal.Core.Model;

namespace Shoal.Storage.Relational;

/// <summary>A job's retry policy as its <c>retry_policy</c> column holds it: null is at once, else JSON in milliseconds.</summary>
internal static class RetryColumn
{
    public static string? Write(RetryPolicy? policy) =>
        policy is null || policy.IsImmediate
            ? null
            : JsonSerializer.Serialize(new Row(
                (long)policy.Delay.TotalMilliseconds, policy.Backoff, policy.MaxDelay is { } m ? (long)m.TotalMilliseconds : null, policy.Jitter));

    public static RetryPolicy Read(DbDataReader r, int ordinal)
    {
        if (r.IsDBNull(ordinal) || JsonSerializer.Deserialize<Row>(r.GetString(ordinal)) is not { } row)
        {
            return RetryPolicy.Immediate;
        }

        return new RetryPolicy(
            TimeSpan.FromMilliseconds(row.DelayMs), row.Backoff, row.MaxMs is { } m ? TimeSpan.FromMilliseconds(m) : null, row.Jitter);
    }

    private sealed record Row(long DelayMs, double Backoff, long? MaxMs, double Jitter);
}
