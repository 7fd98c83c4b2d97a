using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Client;
using Shoal.Contracts;
using Spectre.Console;

namespace Shoal.Cli.Commands;

/// <summary>Follows a sweep: a live bar on a terminal, one line per finished host on stderr with --verbose.</summary>
internal static class SweepProgress
{
    private static readonly string[] Ended = ["completed", "failed", "cancelled"];

    public static async Task<SweepStatus> FollowAsync(ShoalClient client, long id, bool verbose, CancellationToken ct)
    {
        var printed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var started = TimeProvider.System.GetTimestamp();
        if (Render.Interactive && !verbose)
        {
            SweepStatus last = null!;
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bar = ctx.AddTask("sweep", maxValue: 1);
                    while (true)
                    {
                        last = await client.SweepAsync(id, false, ct).ConfigureAwait(false);
                        bar.MaxValue = Math.Max(1, last.Total);
                        bar.Value = last.Success + last.Failed;
                        var rate = (last.Success + last.Failed) / Math.Max(1, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
                        bar.Description = $"done {last.Success} failed {last.Failed} running {last.Running} left {last.Queued} ({rate:0.0}/s)"
                            + string.Concat(Waiting(last).Select(z => $" · zone {z.Zone}: no collector"));
                        if (Ended.Contains(last.State))
                        {
                            return;
                        }

                        await Task.Delay(300, ct).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            await NoteZonesAsync(last, printed).ConfigureAwait(false);
            return last;
        }

        while (true)
        {
            var status = await client.SweepAsync(id, verbose, ct).ConfigureAwait(false);
            foreach (var h in status.Hosts ?? [])
            {
                if (h.Outcome is "success" or "failed" && printed.Add(h.Host))
                {
                    await Console.Error.WriteLineAsync(
                        $"{h.Host}{(h.Prod ? " (prod)" : "")}: {h.Outcome}, exit {h.ExitCode?.ToString() ?? "-"}, {(h.DurationMs ?? 0) / 1000.0:0.0} s{(h.Error is null ? "" : " - " + h.Error)}"
                        + $" [{status.Success + status.Failed}/{status.Total}]").ConfigureAwait(false);
                }
            }

            await NoteZonesAsync(status, printed).ConfigureAwait(false);
            if (Ended.Contains(status.State))
            {
                return status;
            }

            await Task.Delay(verbose ? 250 : 500, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The zones whose hosts wait and no collector of the zone asks for.</summary>
    private static IEnumerable<SweepZoneDto> Waiting(SweepStatus status) =>
        (status.Zones ?? []).Where(z => z.Collectors.Count == 0 && z.Queued > 0 && z.Reason is null);

    /// <summary>A zone's hosts are never waited on silently: said once when no collector asks, and once when they were given up.</summary>
    private static async Task NoteZonesAsync(SweepStatus status, HashSet<string> noted)
    {
        foreach (var z in Waiting(status).Where(z => noted.Add("waiting zone " + z.Zone)))
        {
            await Console.Error.WriteLineAsync(
                $"zone {z.Zone}: no collector asks for its {z.Queued} hosts (start one: shoal agent --collector CMD --zone {z.Zone}, with a token tagged zone:{z.Zone})").ConfigureAwait(false);
        }

        foreach (var z in (status.Zones ?? []).Where(z => z.Reason is not null && noted.Add("given up zone " + z.Zone)))
        {
            await Console.Error.WriteLineAsync($"zone {z.Zone}: {z.NotAttempted} hosts not attempted: {z.Reason}").ConfigureAwait(false);
        }
    }
}
