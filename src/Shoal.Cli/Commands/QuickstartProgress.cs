using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Client;
using Shoal.Contracts;
using Spectre.Console;

namespace Shoal.Cli.Commands;

/// <summary>Follows a stream until it ends: live progress bars on a terminal, one line a second otherwise.</summary>
internal static class QuickstartProgress
{
    private static readonly string[] Terminal = ["completed", "failed", "cancelled"];

    public static async Task<StreamDto> FollowAsync(ShoalClient client, long id, CancellationToken ct)
    {
        if (!Render.Interactive)
        {
            return await PlainAsync(client, id, ct).ConfigureAwait(false);
        }

        StreamDto current = await client.GetStreamAsync(id, ct).ConfigureAwait(false);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var bars = current.Jobs.ToDictionary(j => j.Id, j => ctx.AddTask($"{j.Name} ({j.Type})", maxValue: Math.Max(1, Total(j))));
                while (true)
                {
                    current = await client.GetStreamAsync(id, ct).ConfigureAwait(false);
                    foreach (var j in current.Jobs)
                    {
                        bars[j.Id].Value = j.Parts.Done + j.Parts.Failed;
                        bars[j.Id].Description = $"{j.Name} ({j.State})";
                    }

                    if (Terminal.Contains(current.State))
                    {
                        return;
                    }

                    await Task.Delay(200, ct).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        return current;
    }

    private static async Task<StreamDto> PlainAsync(ShoalClient client, long id, CancellationToken ct)
    {
        while (true)
        {
            var s = await client.GetStreamAsync(id, ct).ConfigureAwait(false);
            Console.Error.WriteLine($"progress: {s.State} " + string.Join(" ", s.Jobs.Select(j => $"{j.Name}={j.Parts.Done + j.Parts.Failed}/{Total(j)}")));
            if (Terminal.Contains(s.State))
            {
                return s;
            }

            await Task.Delay(1000, ct).ConfigureAwait(false);
        }
    }

    private static int Total(JobDto j) => j.Parts.Ready + j.Parts.Leased + j.Parts.Done + j.Parts.Failed + j.Parts.Retrying + j.Parts.NotRun;
}
