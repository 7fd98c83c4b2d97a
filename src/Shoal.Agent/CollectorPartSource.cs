using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>
/// A zone's sweep collector node (<c>shoal agent --collector CMD --zone Z</c>): leases the hosts of its zone's sweeps over
/// REST, hands the worker the host name (the part is <c>{"host", "prod", "zone"}</c>), and reports each run as the
/// server's own collector does (<see cref="CollectorReport"/>).
/// </summary>
public sealed class CollectorPartSource(PullAgentClient client, string zone, TimeSpan hostTimeout) : IPartSource
{
    /// <summary>The built-in type of sweep hosts.</summary>
    public const string SweepType = "sweep";

    private static readonly string[] Types = [SweepType];

    public async Task<IReadOnlyList<LeasedPartDto>> LeaseAsync(int max, TimeSpan wait, CancellationToken ct) =>
        (await client.LeaseAsync(Types, max, wait, zone, ct).ConfigureAwait(false))
            .Select(p => p with { Payload = JsonSerializer.SerializeToElement(HostOf(p.Payload)) })
            .ToList();

    public async Task<bool> HeartbeatAsync(LeasedPartDto part, CancellationToken ct) =>
        (await client.HeartbeatAsync(part.PartId, part.LeaseId, ct).ConfigureAwait(false)).Stop;

    public void Started(LeasedPartDto part)
    {
        // The lease already says the host is taken.
    }

    public Task ReportAsync(LeasedPartDto part, CommandResult run, bool aborted, CancellationToken ct)
    {
        var (ok, result, said) = CollectorReport.Of(run, aborted, hostTimeout);
        using var json = JsonDocument.Parse(result);
        return client.CompleteAsync(part.PartId, part.LeaseId, ok, json.RootElement.Clone(), said, ct, part.Traceparent);
    }

    private static string HostOf(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("host", out var h) && h.ValueKind == JsonValueKind.String
            ? h.GetString()!
            : throw new InvalidOperationException($"a sweep part is {{\"host\": …}}, got {payload.GetRawText()}");
}
