using Shoal.Core.Schedules;
using Shouldly;

namespace Shoal.Core.Tests.Schedules;

public sealed class ScheduleRuleTests
{
    private static ScheduleRule Rule(string? cron, TimeSpan? every = null, string? tz = null)
    {
        ScheduleRule.TryCreate(cron, every, tz, out var rule, out var error).ShouldBeTrue(error);
        return rule!;
    }

    [Fact]
    public void Cron_InATimeZone_FiresAtLocalTime()
    {
        var rule = Rule("0 2 * * *", tz: "Europe/Paris");
        var next = rule.NextAfter(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero));
        next.ShouldBe(new DateTimeOffset(2026, 1, 11, 1, 0, 0, TimeSpan.Zero), "02:00 in Paris is 01:00 UTC in winter");
    }

    [Fact]
    public void Cron_OnTheSpringForwardNight_RunsOnce_AfterTheGap()
    {
        // 2026-03-29: clocks go from 02:00 to 03:00 in Paris; 02:00 does not exist that night.
        var rule = Rule("0 2 * * *", tz: "Europe/Paris");
        var next = rule.NextAfter(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));
        next.ShouldBe(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), "run at 03:00 CEST, the end of the gap");
        rule.NextAfter(next).ShouldBe(new DateTimeOffset(2026, 3, 30, 0, 0, 0, TimeSpan.Zero), "then 02:00 CEST");
    }

    [Fact]
    public void Cron_OnTheFallBackNight_RunsOnce_NotTwice()
    {
        // 2026-10-25: 02:00-03:00 happens twice in Paris.
        var rule = Rule("30 2 * * *", tz: "Europe/Paris");
        var first = rule.NextAfter(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero));
        first.ShouldBe(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero));
        rule.NextAfter(first).ShouldBe(new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Interval_AddsTheInterval() =>
        Rule(null, TimeSpan.FromMinutes(15)).NextAfter(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
            .ShouldBe(new DateTimeOffset(2026, 1, 1, 0, 15, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(null, null, null, "give exactly one of 'cron' (an expression")]
    [InlineData("0 2 * * *", 60.0, null, "give exactly one of 'cron' (an expression")]
    [InlineData("61 2 * * *", null, null, "cron '61 2 * * *'")]
    [InlineData("0 2 * * *", null, "Mars/Olympus", "unknown time zone 'Mars/Olympus'")]
    [InlineData("0 2 * * *", null, "Europe/Pari", "unknown time zone 'Europe/Pari' (did you mean 'Europe/Paris'?)")]
    [InlineData("0 2 * *", null, null, "(5 fields: minute hour day-of-month month day-of-week; 6 with seconds first)")]
    [InlineData(null, 0.5, null, "the interval must be at least 1 second")]
    public void Invalid_RulesSayWhy(string? cron, double? everySeconds, string? tz, string expected)
    {
        ScheduleRule.TryCreate(cron, everySeconds is { } s ? TimeSpan.FromSeconds(s) : null, tz, out _, out var error).ShouldBeFalse();
        error!.ShouldContain(expected);
    }
}
