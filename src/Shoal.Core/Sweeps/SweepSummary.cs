using System.Globalization;
using System.Text.Json.Nodes;

namespace Shoal.Core.Sweeps;

/// <summary>How one host of a sweep ended.</summary>
public enum HostOutcome
{
    Success,
    Failed,

    /// <summary>Still on the queue when the time limit stopped the sweep.</summary>
    NotAttempted,
}

/// <summary>
/// The final JSON of a sweep, with exactly the keys operators' tools read (DESIGN.md "Sweep output"),
/// then <c>Timeout</c> when the time limit stopped it, then Shoal's own keys.
/// </summary>
public static class SweepSummary
{
    public static JsonObject Build(
        IReadOnlyList<(string Host, bool Production, HostOutcome Outcome)> hosts,
        double jobSeconds,
        int threads,
        double? timeoutAtSeconds,
        IReadOnlyList<string> skippedCheckedIn,
        IReadOnlyList<BadLine> badLines)
    {
        var failed = hosts.Where(h => h.Outcome == HostOutcome.Failed).ToList();
        var failedProd = failed.Where(h => h.Production).ToList();
        var success = hosts.Where(h => h.Outcome == HostOutcome.Success).ToList();
        var notAttempted = hosts.Where(h => h.Outcome == HostOutcome.NotAttempted).Select(h => h.Host).ToList();
        var json = new JsonObject
        {
            ["global_fail_hosts"] = failed.Count,
            ["global_fail_hosts_list"] = List(failed.Select(h => h.Host)),
            ["global_fail_prod"] = failedProd.Count,
            ["global_fail_prod_list"] = List(failedProd.Select(h => h.Host)),
            ["global_success_hosts"] = success.Count,
            ["global_success_hosts_list"] = List(success.Select(h => h.Host)),
            ["jobtime"] = jobSeconds,
            ["threads"] = threads,
        };
        if (timeoutAtSeconds is { } at)
        {
            json["Timeout"] = TimeoutText(at, notAttempted.Count);
        }

        json["skipped_checked_in"] = List(skippedCheckedIn);
        json["not_attempted_list"] = List(notAttempted);
        json["global_bad_lines"] = new JsonArray(badLines.Select(b => (JsonNode)new JsonObject { ["line"] = b.LineNumber, ["reason"] = b.Reason }).ToArray());
        return json;
    }

    public static string TimeoutText(double seconds, int left) =>
        $"Timeout reached at {seconds.ToString("R", CultureInfo.InvariantCulture)} seconds with {left} items left on the queue.";

    private static JsonArray List(IEnumerable<string> items) => new(items.Select(i => (JsonNode)JsonValue.Create(i)).ToArray());
}
