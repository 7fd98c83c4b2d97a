using System.Text.Json;

namespace Shoal.Contracts;

/// <summary>
/// Body of <c>POST /api/v1/schedules</c>: a cron expression (with <c>TimeZone</c>, default UTC) or an interval
/// (<c>Every</c>: "15m", "1h", seconds), the stream JSON to submit, <c>Misfire</c> "once" or "skip", and <c>Overlap</c>.
/// </summary>
/// <remarks>Instead of <c>Stream</c>, <c>Sweep</c> schedules a fleet sweep or gap-fix run (the body of <c>POST /api/v1/sweeps</c>).</remarks>
public sealed record ScheduleRequest(
    string Name,
    string? Cron = null,
    string? Every = null,
    string? TimeZone = null,
    JsonElement? Stream = null,
    string? Misfire = null,
    bool Overlap = false,
    SweepRequest? Sweep = null);

/// <summary>A schedule as listed, with its next run time.</summary>
public sealed record ScheduleDto(string Name, string? Cron, double? EverySeconds, string TimeZone, string Misfire, bool Overlap, bool Paused, DateTimeOffset NextRun, DateTimeOffset? LastRun, long? LastStream);
