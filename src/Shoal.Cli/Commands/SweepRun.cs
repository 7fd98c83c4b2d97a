using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Client;
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

    /// <summary>The zone column named by the user (then required), or null: the column <c>zone</c> when there is one.</summary>
    public string? ZoneColumn { get; init; }

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

        words = [ResolveProgram(words[0]), .. words.Skip(1)];

        var request = new SweepRequest(
            GapFix ? "gapfix" : "sweep",
            inventory.Hosts.Select(h => new SweepHostDto(h.Host, h.Production, h.Zone)).ToList(),
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
            if (Globals.Server is null && await LiveServerHereAsync(ct).ConfigureAwait(false) is { } live)
            {
                // A server keeps its state here: the run is its (a second server on its database would race it).
                await Console.Error.WriteLineAsync($"shoal {(GapFix ? "gap-fix" : "sweep")}: using the server running here ({live})").ConfigureAwait(false);
                client = ServerLocator.Connect(Globals with { Server = live });
            }
            else if (Globals.Server is null)
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
        catch (ShoalApiException ex) when (ex.Status == 409)
        {
            throw new CliException(ex.Message, 4);
        }

        JsonObject summary;
        var fresh = GapFix ? $", {started.SkippedFresh} skipped (a success within {(FreshWithin ?? TimeSpan.FromHours(24)).TotalHours:0.##} h)" : "";
        await Console.Error.WriteLineAsync(
            $"{started.Name}: {started.Hosts} hosts to visit, {started.Threads} at once, {started.SkippedCheckedIn.Count} skipped (checked in){fresh}"
            + (started.Id is null ? "; nothing to do" : "")).ConfigureAwait(false);
        if (started.Id is { } id)
        {
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

        // Hosts a zone without a live collector never visited are not a success either.
        return summary.ContainsKey("Timeout") ? 3
            : summary["global_fail_hosts"]!.GetValue<int>() > 0 || summary["not_attempted_list"]!.AsArray().Count > 0 ? 1
            : 0;
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
            return HostCsv.Parse(text, HostColumn, ProdColumn, ProdValues.ToList(), ZoneColumn ?? "zone", zoneColumnRequired: ZoneColumn is not null);
        }
        catch (HostCsvException ex)
        {
            throw new CliException($"{HostsFile}: {ex.Message}", 2);
        }
    }

    /// <summary>
    /// A collector given by a path (it has a '/') is found where the user stands, as a shell would find it: a relative
    /// one is made absolute here (the server runs it from its own folder) and must exist; an absolute one must exist
    /// too unless the server is named with --server (it may be another machine's path). One that is not there is refused
    /// now rather than failing every host with exit 127. A bare name is looked up in the server's PATH.
    /// </summary>
    private string ResolveProgram(string program)
    {
        if (!program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }

        var full = Path.GetFullPath(program);
        if (!File.Exists(full) && (!Path.IsPathRooted(program) || Globals.Server is null))
        {
            throw new CliException($"--collector: {program} not found (looked at {full})", 2);
        }

        return full;
    }

    /// <summary>The URL of a server that keeps its state in this state folder and answers now, if there is one.</summary>
    private async Task<string?> LiveServerHereAsync(CancellationToken ct)
    {
        var file = Path.Combine(Globals.StateDir ?? ".shoal", StateFiles.ServerUrlFile);
        if (!File.Exists(file))
        {
            return null;
        }

        var url = (await File.ReadAllTextAsync(file, ct).ConfigureAwait(false)).Trim();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            using var answer = await http.GetAsync(new Uri(new Uri(url), "/health"), ct).ConfigureAwait(false);
            return url; // any answer (a degraded store too) is a server that owns this folder
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            return null; // a server.url left by a server that is gone
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

        // The lock is looked at before anything starts: a refused sweep touches nothing.
        if (!GapFix && Server.Sweeps.SweepLockFile.LiveHolder(config.SweepLock) is { } holder)
        {
            throw new CliException($"another sweep is running: {holder}", 4);
        }

        config = config with
        {
            StateDir = state,
            Store = config.Store with { SqlitePath = Path.Combine(state, "shoal.db"), Postgres = null },
            // Only the sweeps it starts: no agent types, no leader's duties, not recorded as a server of the queue.
            AgentTypes = new Dictionary<string, AgentTypeConfig>(),
            // Its own node name: runs on the same store in other processes never release each other's leases.
            Scheduler = config.Scheduler with
            {
                Port = 0, CommandPort = 0, Address = "127.0.0.1", SweepsOnly = true,
                NodeName = $"{Environment.MachineName}-{(GapFix ? "gapfix" : "sweep")}-{Environment.ProcessId}",
            },
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
