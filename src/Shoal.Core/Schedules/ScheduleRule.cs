using Cronos;

namespace Shoal.Core.Schedules;

/// <summary>What to do with a run that fell due while the server was down.</summary>
public enum Misfire
{
    /// <summary>Run it once at start (however many were missed), then carry on.</summary>
    Once,

    /// <summary>Skip what was missed; the next run is the next one due.</summary>
    Skip,
}

/// <summary>
/// When a schedule fires: a cron expression (5 or 6 fields, Cronos) in a time zone, or a fixed interval.
/// Next times are computed in the zone, so DST changes neither skip nor double a daily run.
/// </summary>
public sealed record ScheduleRule(string? Cron, TimeSpan? Every, string TimeZone)
{
    public static bool TryCreate(string? cron, TimeSpan? every, string? timeZone, out ScheduleRule? rule, out string? error)
    {
        rule = null;
        error = null;
        if ((cron is null) == (every is null))
        {
            error = "give exactly one of 'cron' (an expression: \"0 2 * * *\") or 'every' (an interval: \"15m\")";
            return false;
        }

        if (every is { } e && e < TimeSpan.FromSeconds(1))
        {
            error = "the interval must be at least 1 second";
            return false;
        }

        var zone = timeZone ?? "UTC";
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(zone);
        }
        catch (TimeZoneNotFoundException)
        {
            var nearest = Spelling.Nearest(zone, TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id));
            error = $"unknown time zone '{zone}'" + (nearest is null ? " (an IANA name: Europe/Paris, America/New_York, UTC)" : $" (did you mean '{nearest}'?)");
            return false;
        }

        if (cron is not null && !TryParseCron(cron, out _, out error))
        {
            return false;
        }

        rule = new ScheduleRule(cron, every, zone);
        return true;
    }

    /// <summary>The first time strictly after <paramref name="after"/> at which the schedule fires.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset after)
    {
        if (Every is { } every)
        {
            return after + every;
        }

        // The expression was checked when the rule was made; a broken one never fires.
        if (!TryParseCron(Cron!, out var expression, out _))
        {
            return DateTimeOffset.MaxValue;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        return expression!.GetNextOccurrence(after, zone, inclusive: false) ?? DateTimeOffset.MaxValue;
    }

    private static bool TryParseCron(string cron, out CronExpression? expression, out string? error)
    {
        var format = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        error = null;
        try
        {
            expression = CronExpression.Parse(cron, format);
            return true;
        }
        catch (CronFormatException ex)
        {
            expression = null;
            // Cronos names the field but not the shape; the NUL it shows for a missing field says nothing to a person.
            error = $"cron '{cron}': {ex.Message.Replace("'\0'", "the end", StringComparison.Ordinal)} (5 fields: minute hour day-of-month month day-of-week; 6 with seconds first)";
            return false;
        }
    }
}
