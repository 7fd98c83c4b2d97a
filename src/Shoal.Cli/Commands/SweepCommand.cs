using System.CommandLine;
using Shoal.Cli.Client;
using Shoal.Core.Config;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal sweep</c> and <c>shoal gap-fix</c>: visit an inventory's hosts with a collector.</summary>
internal static class SweepCommand
{
    public static Command Build(bool gapfix)
    {
        var hosts = new Option<string>("--hosts") { Description = "Inventory CSV with a header line", Required = true };
        var collector = new Option<string>("--collector") { Description = "Command run per host; {host} is replaced (no shell unless --shell)", Required = true };
        var threads = new Option<int?>("--threads") { Description = $"Collectors at once (default: [SWEEP] {(gapfix ? "gapfix_threads, a quarter of threads" : "threads")})" };
        var timeLimit = new Option<string?>("--time-limit") { Description = "Stop starting hosts after this long, e.g. 8h (default: [SWEEP] time_limit)" };
        var hostTimeout = new Option<string?>("--host-timeout") { Description = "Kill a collector after this long and count the host failed (default 10m)" };
        var fresh = new Option<string>("--fresh-within") { Description = gapfix ? "Visit production hosts without a success this recent" : "Skip hosts that checked in by themselves this recently", DefaultValueFactory = _ => "24h" };
        var output = new Option<string?>("--out") { Description = "Also write the final JSON to this file" };
        var retry = new Option<string?>("--retry-file") { Description = "Write the failed and not attempted hosts as a CSV of the same shape" };
        var verbose = new Option<bool>("--verbose") { Description = "One status line per finished host on stderr" };
        var shell = new Option<bool>("--shell") { Description = "Run the collector with /bin/sh -c (the host is single-quoted)" };
        var hostColumn = new Option<string>("--host-column") { Description = "Column of the host name", DefaultValueFactory = _ => "host" };
        var prodColumn = new Option<string>("--prod-column") { Description = "Column telling production hosts", DefaultValueFactory = _ => "environment" };
        var prodValues = new Option<string>("--prod-values") { Description = "Values of --prod-column that mean production", DefaultValueFactory = _ => "production,prod" };
        var zoneColumn = new Option<string>("--zone-column")
        {
            Description = "Column naming each host's zone (hosts of another zone are visited by that zone's collector, shoal agent --collector --zone); an inventory without it has one zone, the server's",
        };
        var config = new Option<string?>("--config") { Description = "shoal.conf for the in-process run's [SWEEP] defaults (without --server)" };
        var command = new Command(
            gapfix ? "gap-fix" : "sweep",
            gapfix
                ? "Revisit production hosts without a fresh successful result (lighter, never takes the sweep lock)"
                : "Visit every host of an inventory with a collector, production first, within a time limit; prints a JSON summary")
        {
            hosts, collector, threads, timeLimit, hostTimeout, fresh, output, retry, verbose, shell, hostColumn, prodColumn, prodValues, zoneColumn, config,
        };
        command.SetAction(async (result, ct) =>
        {
            try
            {
                var run = new SweepRun
                {
                    GapFix = gapfix,
                    HostsFile = result.GetValue(hosts)!,
                    Collector = result.GetValue(collector)!,
                    Shell = result.GetValue(shell),
                    Threads = result.GetValue(threads),
                    TimeLimit = Duration(result.GetValue(timeLimit), "--time-limit"),
                    HostTimeout = Duration(result.GetValue(hostTimeout), "--host-timeout"),
                    FreshWithin = Duration(result.GetValue(fresh), "--fresh-within"),
                    Out = result.GetValue(output),
                    RetryFile = result.GetValue(retry),
                    Verbose = result.GetValue(verbose),
                    HostColumn = result.GetValue(hostColumn)!,
                    ProdColumn = result.GetValue(prodColumn)!,
                    ZoneColumn = result.GetValue(zoneColumn),
                    ProdValues = result.GetValue(prodValues)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    ConfigFile = result.GetValue(config),
                    Globals = ShoalCommand.Globals(result),
                };
                return await run.RunAsync(ct).ConfigureAwait(false);
            }
            catch (Exception caught) when (CliException.From(caught) is { } ex)
            {
                await Console.Error.WriteLineAsync($"shoal {(gapfix ? "gap-fix" : "sweep")}: {ex.Message}").ConfigureAwait(false);
                return ex.ExitCode;
            }
        });
        return command;
    }

    private static TimeSpan? Duration(string? text, string flag) =>
        text is null ? null : Durations.TryParse(text, out var d) ? d : throw new CliException($"{flag}: '{text}' is not a duration (90s, 15m, 8h, 2d)", 2);
}
