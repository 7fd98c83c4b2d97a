using Shoal.Contracts;
using Shoal.Server.Dashboard;
using Shouldly;

namespace Shoal.Server.Tests.Dashboard;

/// <summary>The overview's history: parts done and failed per minute, from totals sampled each second.</summary>
public sealed class MinuteHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EachMinuteCountsWhatFinishedInIt_TheLastIsTheMinuteUnderWay_AndAnHourIsKept()
    {
        var h = new MinuteHistory();
        h.Add(T0.AddSeconds(5), 100, 10).ShouldBe([new MinutePoint(T0, 0, 0)], "the first sample is the base");
        h.Add(T0.AddSeconds(50), 160, 12).ShouldBe([new MinutePoint(T0, 60, 2)]);
        h.Add(T0.AddSeconds(70), 1_160, 12).ShouldBe([new MinutePoint(T0, 60, 2), new MinutePoint(T0.AddMinutes(1), 1_000, 0)]);

        // Totals that go down (finished streams purged): the minute starts again from the new totals.
        h.Add(T0.AddSeconds(80), 5, 0).ShouldBe([new MinutePoint(T0, 60, 2), new MinutePoint(T0.AddMinutes(1), 0, 0)]);

        IReadOnlyList<MinutePoint> points = [];
        for (var m = 2; m < 100; m++)
        {
            points = h.Add(T0.AddMinutes(m), 5 + m, 0);
        }

        points.Count.ShouldBe(60);
        points[^1].At.ShouldBe(T0.AddMinutes(99));
        points[^2].ShouldBe(new MinutePoint(T0.AddMinutes(98), 1, 0));
    }
}
