using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Client;
using Shoal.Contracts;
using Spectre.Console;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal failed ID [--job]</c>: the parts that failed for good, with what their last try said.</summary>
internal static class FailedCommand
{
    /// <summary>One failed part with its job, as <c>--json</c> prints it.</summary>
    public sealed record FailedRow(long Job, string JobName, long PartId, string Payload, int Attempt, string? Host, string? Result, string? Log);

    public static Command Build()
    {
        var id = Ids.Argument("id", "Stream id (a job id with --job)");
        var job = new Option<bool>("--job") { Description = "The id is a job's: list that job's failed parts alone" };
        var limit = new Option<int>("--limit") { Description = "At most this many parts per job (1-1000)", DefaultValueFactory = _ => 50 };
        var command = new Command("failed", "List the parts that failed for good: payload, tries, host, and the last line their last try said") { id, job, limit };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            var n = result.GetValue(id).Id;
            var isJob = Ids.IsJob(result, id, job);
            var max = result.GetValue(limit);
            if (max is < 1 or > 1000)
            {
                Console.Error.WriteLine($"shoal failed: --limit must be from 1 to 1000, got {max}");
                return 2;
            }

            var rows = new List<FailedRow>();
            IEnumerable<(long Id, string Name)> jobs = isJob
                ? [(n, (await client.GetJobAsync(n, ct).ConfigureAwait(false)).Name)]
                : (await client.GetStreamAsync(n, ct).ConfigureAwait(false)).Jobs.Where(j => j.Parts.Failed > 0).Select(j => (j.Id, j.Name));
            foreach (var (jobId, name) in jobs)
            {
                rows.AddRange((await client.FailedPartsAsync(jobId, max, ct).ConfigureAwait(false))
                    .Select(p => new FailedRow(jobId, name, p.PartId, p.Payload, p.Attempt, p.Host, p.Result, p.Log)));
            }

            Render.Out(g.Json, rows, r => Print(r, isJob ? $"job {n}" : $"stream {n}"));
            return 0;
        }));
        return command;
    }

    /// <summary>The last non-empty line of the last try's log, else of its result.</summary>
    public static string Said(FailedRow r) =>
        (r.Log ?? r.Result)?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    /// <summary>A cell of a table on a terminal: long text is cut (the whole of it is in --json).</summary>
    private static string Short(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 199), "…");

    private static void Print(List<FailedRow> rows, string what)
    {
        if (rows.Count == 0)
        {
            Console.WriteLine($"{what}: no failed parts");
            return;
        }

        if (!Render.Interactive)
        {
            Console.WriteLine("job\tname\tpart\tpayload\tattempts\thost\tlast said");
            foreach (var r in rows)
            {
                Console.WriteLine($"{r.Job}\t{Render.Safe(r.JobName)}\t{r.PartId}\t{Render.Safe(r.Payload)}\t{r.Attempt}\t{Render.Safe(r.Host)}\t{Render.Safe(Said(r))}");
            }

            return;
        }

        var table = new Table().AddColumns("job", "part", "payload", "attempts", "host", "last said");
        foreach (var r in rows)
        {
            table.AddRow($"{r.Job} {Markup.Escape(Render.Safe(r.JobName))}", r.PartId.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(Render.Safe(Short(r.Payload))),
                r.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(Render.Safe(r.Host)), Markup.Escape(Render.Safe(Short(Said(r)))));
        }

        AnsiConsole.Write(table);
    }
}
