using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Core.Sweeps;
using Shoal.Server;
using Shoal.Server.Hosting;

namespace Shoal.Cli.Commands;

/// <summary>
/// One sweep or gap-fix run from the command line: reads the inventory, starts the run on a server (the one
/// given with --server, or one embedded in this process on the state folder's SQLite store), follows it,
/// and prints the final JSON. Exit codes: 0 every host succeeded, 1 some failed, 2 bad input, 3 time limit, 4 locked.
/// </summary>
internal sealed class SweepRun
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public required bool GapFix { get; init; }

    public required string HostsFile { get; init; }

    public required string Collector { get; init; }

    public bool Shell { get; init; }

    public int? Threads { get; init; }

    public TimeSpan? TimeLimit { get; init; }

    public TimeSpan? HostTimeout { get; init; }

    public TimeSpan? FreshWithin { get; init; }

    public string? Out { get; init; }

    public string? RetryFile { get; init; }

    public bool Verbose { get; init; }

    public required string HostColumn { get; init; }

    public required string ProdColumn { get; init; }

    public required IReadOnlyList<string> ProdValues { get; init; }

    public string? ConfigFile { get; init; }

    public required GlobalOptions Globals { get; init; }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var inventory = ReadInventory();
        foreach (var bad in inventory.BadLines)
        {
            await Console.Error.WriteLineAsync($"{HostsFile}:{bad.LineNumber}: {bad.Reason} (skipped)").ConfigureAwait(false);
        }

        var words = CommandLineSplitter.Split(Collector, out var error);
        if (error is not null || words.Count == 0)
        {
            throw new CliException($"--collector: {error ?? "empty command"}", 2);
        }

        var request = new SweepRequest(
            GapFix ? "gapfix" : "sweep",
            inventory.Hosts.Select(h => new SweepHostDto(h.Host, h.Production)).ToList(),
            words,
            Shell,
            Threads,
            HostTimeout?.TotalSeconds,
            TimeLimit?.TotalSeconds,
            FreshWithin?.TotalSeconds);
        WebApplication? embedded = null;
        try
        {
            ShoalClient client;
            if (Globals.Server is null)
            {
                embedded = await StartEmbeddedAsync(ct).ConfigureAwait(false);
                client = ShoalClient.Create(embedded.Url(), StateFiles.EnsureAdminToken(Globals.StateDir ?? ".shoal"));
            }
            else
            {
                client = ServerLocator.Connect(Globals);
            }

            using (client)
            {
                return await RunOnAsync(client, request, inventory, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (embedded is not null)
            {
                await embedded.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await embedded.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<int> RunOnAsync(ShoalClient client, SweepRequest request, HostInventory inventory, CancellationToken ct)
    {
        SweepStarted started;
        try
        {
            started = await client.StartSweepAsync(request, ct).ConfigureAwait(false);
        }
        catch (CliException ex) when (ex.Status == 409)
        {
            throw new CliException(ex.Message, 4);
        }

        JsonObject summary;
        if (started.Id is { } id)
        {
            await Console.Error.WriteLineAsync($"{started.Name}: {started.Hosts} hosts, {started.Threads} at once, {started.SkippedCheckedIn.Count} skipped (checked in)").ConfigureAwait(false);
            var status = await SweepProgress.FollowAsync(client, id, Verbose, ct).ConfigureAwait(false);
            summary = status.Summary;
        }
        else
        {
            summary = SweepSummary.Build([], 0, started.Threads, null, started.SkippedCheckedIn, []);
        }

        summary["global_bad_lines"] = new JsonArray(inventory.BadLines.Select(b => (JsonNode)new JsonObject { ["line"] = b.LineNumber, ["reason"] = b.Reason }).ToArray());
        var text = summary.ToJsonString(Indented);
        Console.WriteLine(text);
        if (Out is not null)
        {
            await File.WriteAllTextAsync(Out, text + "\n", ct).ConfigureAwait(false);
        }

        if (RetryFile is not null)
        {
            var again = summary["global_fail_hosts_list"]!.AsArray().Concat(summary["not_attempted_list"]!.AsArray()).Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var lines = inventory.Hosts.Where(h => again.Contains(h.Host)).Select(h => h.Line).Prepend(inventory.Header);
            await File.WriteAllLinesAsync(RetryFile, lines, ct).ConfigureAwait(false);
        }

        return summary.ContainsKey("Timeout") ? 3 : summary["global_fail_hosts"]!.GetValue<int>() > 0 ? 1 : 0;
    }

    private HostInventory ReadInventory()
    {
        string text;
        try
        {
            text = File.ReadAllText(HostsFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {HostsFile}: {ex.Message}", 2);
        }

        try
        {
            return HostCsv.Parse(text, HostColumn, ProdColumn, ProdValues.ToList());
        }
        catch (HostCsvException ex)
        {
            throw new CliException($"{HostsFile}: {ex.Message}", 2);
        }
    }

    private async Task<WebApplication> StartEmbeddedAsync(CancellationToken ct)
    {
        var state = Path.GetFullPath(Globals.StateDir ?? ".shoal");
        ShoalConfig config;
        try
        {
            config = ConfigFile is null ? Defaults(state) : ConfigLoader.Load(ConfigFile);
        }
        catch (ConfigException ex)
        {
            throw new CliException(ex.Message, 2);
        }

        config = config with
        {
            StateDir = state,
            Store = config.Store with { SqlitePath = Path.Combine(state, "shoal.db"), Postgres = null },
            // Its own node name: runs on the same store in other processes never release each other's leases.
            Scheduler = config.Scheduler with { Port = 0, CommandPort = 0, Address = "127.0.0.1", NodeName = $"{Environment.MachineName}-{(GapFix ? "gapfix" : "sweep")}-{Environment.ProcessId}" },
        };
        var app = await ShoalServer.BuildAsync(config, ct, minLevel: LogLevel.Warning, publishUrl: false).ConfigureAwait(false);
        await app.StartAsync(ct).ConfigureAwait(false);
        return app;
    }

    private static ShoalConfig Defaults(string state) => new()
    {
        File = "(defaults)",
        Scheduler = new SchedulerOptions(),
        Store = new StoreOptions(Path.Combine(state, "shoal.db"), SqliteSync.Full),
        Hosts = [],
        StateDir = state,
        LogDir = Path.Combine(state, "logs"),
        AgentsDir = Path.Combine(state, "agents"),
        AgentTypes = new Dictionary<string, AgentTypeConfig>(),
    };
}
