using Shoal.Core.Sweeps;
using Shouldly;

namespace Shoal.Core.Tests.Sweeps;

public sealed class SweepSummaryTests
{
    [Fact]
    public void Build_HasTheOperatorsKeysInOrder_ThenTimeout_ThenShoalsOwn()
    {
        var json = SweepSummary.Build(
            [("a", true, HostOutcome.Success), ("b", true, HostOutcome.Failed), ("c", false, HostOutcome.Failed), ("d", false, HostOutcome.NotAttempted)],
            12.5,
            8,
            57627.98305392265,
            ["e"],
            [new BadLine(4, "duplicate host 'a'")]);
        json.Select(kv => kv.Key).ShouldBe([
            "global_fail_hosts", "global_fail_hosts_list", "global_fail_prod", "global_fail_prod_list",
            "global_success_hosts", "global_success_hosts_list", "jobtime", "threads", "Timeout",
            "skipped_checked_in", "not_attempted_list", "global_bad_lines",
        ]);
        json["global_fail_hosts"]!.GetValue<int>().ShouldBe(2);
        json["global_fail_prod_list"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["b"]);
        json["Timeout"]!.GetValue<string>().ShouldBe("Timeout reached at 57627.98305392265 seconds with 1 items left on the queue.");
    }

    [Fact]
    public void Build_WithoutATimeout_HasNoTimeoutKey() =>
        SweepSummary.Build([("a", false, HostOutcome.Success)], 1, 1, null, [], []).ContainsKey("Timeout").ShouldBeFalse();
}
