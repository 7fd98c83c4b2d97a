using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Contracts;
using Shoal.Server.Hosting;
using Shoal.Storage.Sqlite;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal results HOST</c>: a host's visit history (sweeps, gap-fix, check-ins).</summary>
internal static class ResultsCommand
{
    public static Command Build()
    {
        var host = new Argument<string>("host") { Description = "Host name" };
        var limit = new Option<int>("--limit") { Description = "How many results, newest first", DefaultValueFactory = _ => 20 };
        var command = new Command("results", "Show a host's results: sweeps, gap-fix runs and check-ins, newest first") { host, limit };
        command.SetAction(async (result, ct) =>
        {
            var g = ShoalCommand.Globals(result);
            var db = Path.Combine(g.StateDir ?? ".shoal", "shoal.db");
            if (g.Server is null && !File.Exists(Path.Combine(g.StateDir ?? ".shoal", StateFiles.ServerUrlFile)) && File.Exists(db))
            {
                // No server here, but the store of in-process sweeps is: read it directly.
                await using var store = new SqliteStore(db);
                var rows = await store.GetHostResultsAsync(result.GetValue(host)!, result.GetValue(limit), ct).ConfigureAwait(false);
                return Print(g.Json, result.GetValue(host)!, rows.Select(r => new HostResultDto(r.Host, r.At, r.Status, r.ExitCode, r.DurationMs, r.Output, r.Source, r.Stream, r.Error)).ToList());
            }

            return await ShoalCommand.RunAsync(result, async (client, _) =>
                Print(g.Json, result.GetValue(host)!, await client.HostResultsAsync(result.GetValue(host)!, result.GetValue(limit), ct).ConfigureAwait(false))).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Prints a host's results; none is said on stderr, with exit 1 (a misspelt host looks like this).</summary>
    private static int Print(bool json, string host, List<HostResultDto> list)
    {
        if (list.Count == 0 && !json)
        {
            Console.Error.WriteLine($"no results for host '{Render.Safe(host)}' (no sweep, gap-fix or check-in has reached it)");
            return 1;
        }

        Show(json, list);
        return list.Count == 0 ? 1 : 0;
    }

    private static void Show(bool json, List<HostResultDto> list) => Render.Out(json, list, rows => Render.Rows(
        rows,
        ["at", "source", "status", "exit", "seconds", "output", "stderr"],
        r => [r.At.ToString("u"), r.Source, r.Status, r.ExitCode?.ToString() ?? "-", ((r.DurationMs ?? 0) / 1000.0).ToString("0.0"), r.Output?.Split('\n')[0] ?? "", Said(r) ?? ""],
        "output",
        "stderr"));

    /// <summary>A failed visit says why: the last line its collector wrote to stderr.</summary>
    private static string? Said(HostResultDto r) =>
        r.Status == "failed" ? r.Error?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() : null;
}
