using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>Store views to API records.</summary>
internal static class DtoMapper
{
    public static JobDto ToDto(this JobView j, IReadOnlyList<string>? why = null) => new(
        j.Id.Value,
        j.Name,
        j.Type,
        j.State.Name(),
        // An ended job's unstarted parts are not "ready": nothing will run them (a cancelled job showed ready=1).
        j.State.IsTerminal()
            ? new PartCountsDto(0, j.Parts.Leased, j.Parts.Done, j.Parts.Failed, 0, j.Parts.Ready + j.Parts.Retrying)
            : new PartCountsDto(j.Parts.Ready, j.Parts.Leased, j.Parts.Done, j.Parts.Failed, j.Parts.Retrying),
        j.Reason,
        j.DependsOn.Select(d => d.Value).ToList(),
        j.StartedAt,
        j.FinishedAt,
        why,
        j.StreamId.Value);

    public static StreamSummaryDto ToDto(this StreamSummary s) =>
        new(s.Id.Value, s.Name, s.Owner, s.Priority, s.State.Name(), s.CreatedAt, s.FinishedAt, s.Stuck, s.StuckSince, s.Totals?.Parts ?? 0, s.Totals?.Done ?? 0, s.Totals?.Failed ?? 0);

    public static StreamDto ToDto(this StreamDetail d) => new(
        d.Stream.Id.Value,
        d.Stream.Name,
        d.Stream.Owner,
        d.Stream.Priority,
        d.Stream.State.Name(),
        d.Stream.Reason,
        d.Stream.CreatedAt,
        d.Stream.FinishedAt,
        d.Jobs.Select(j => j.ToDto()).ToList(),
        d.Stream.Stuck,
        d.Stream.StuckSince);
}
