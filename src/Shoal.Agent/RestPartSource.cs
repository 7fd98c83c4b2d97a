using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>
/// The parts of <paramref name="types"/> over the REST API: a long-poll lease, heartbeats, and reports that travel
/// together when several end at once (<see cref="ReportBatcher"/>).
/// </summary>
public sealed class RestPartSource(PullAgentClient client, IReadOnlyList<string> types) : IPartSource
{
    private readonly ReportBatcher _reports = new(client);

    public Task<IReadOnlyList<LeasedPartDto>> LeaseAsync(int max, TimeSpan wait, CancellationToken ct) => client.LeaseAsync(types, max, wait, ct);

    public async Task<bool> HeartbeatAsync(LeasedPartDto part, CancellationToken ct) =>
        (await client.HeartbeatAsync(part.PartId, part.LeaseId, ct).ConfigureAwait(false)).Stop;

    public void Started(LeasedPartDto part)
    {
        // The server learns nothing from a start: the lease already says the part is taken.
    }

    public Task ReportAsync(LeasedPartDto part, CommandResult run, bool aborted, CancellationToken ct)
    {
        var result = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["exit_code"] = run.ExitCode, ["output"] = run.Stdout });
        return _reports.ReportAsync(new PartReportDto(part.PartId, part.LeaseId, run.ExitCode == 0 ? "ok" : "failed", result, run.Stderr.Length == 0 ? null : run.Stderr, part.Traceparent), ct);
    }
}
