using System.Text.Json;
using Shoal.Storage;

namespace Shoal.Server.Sweeps;

/// <summary>
/// A visit of a host as its history keeps it, from a collector's report (<see cref="Agent.CollectorReport"/>) —
/// whether the server's own runner or a zone's collector node made it.
/// </summary>
internal static class SweepHistory
{
    public static HostResultRecord Of(string host, bool ok, string? result, string? said, string mode, long stream, DateTimeOffset at)
    {
        int? exit = null;
        long? duration = null;
        string? output = null;
        if (result is not null)
        {
            try
            {
                using var json = JsonDocument.Parse(result);
                var r = json.RootElement;
                if (r.ValueKind == JsonValueKind.Object)
                {
                    exit = r.TryGetProperty("exit_code", out var e) && e.TryGetInt32(out var x) ? x : null;
                    duration = r.TryGetProperty("duration_ms", out var d) && d.TryGetInt64(out var ms) ? ms : null;
                    output = r.TryGetProperty("output", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
                }
            }
            catch (JsonException)
            {
                // Kept as the report's result; the history has no exit code then.
            }
        }

        return new HostResultRecord(host, at, ok ? "ok" : "failed", exit, duration, output, mode, stream, said);
    }
}
