using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Client;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Server;
using Shoal.Server.Hosting;
using Spectre.Console;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal quickstart</c>: an embedded server on a temporary SQLite file runs the example pipeline
/// (unpack → licences and copyright in parallel → report) with real bash agents, showing progress.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Build()
    {
        var examples = new Option<string?>("--examples") { Description = "The examples folder (default: found from the current folder upwards)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary state folder" };
        var command = new Command("quickstart", "Run the example pipeline on an embedded server and show its progress") { examples, keep };
        command.SetAction(async (result, ct) =>
        {
            try
            {
                return await RunAsync(result.GetValue(examples), result.GetValue(keep), result.GetValue(ShoalCommand.Json), ct).ConfigureAwait(false);
            }
            catch (Exception caught) when (CliException.From(caught) is { } ex)
            {
                await Console.Error.WriteLineAsync("shoal quickstart: " + ex.Message).ConfigureAwait(false);
                return ex.ExitCode;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string? examplesDir, bool keep, bool json, CancellationToken ct)
    {
        var state = Directory.CreateTempSubdirectory("shoal-quickstart-").FullName;
        var examples = examplesDir ?? FindExamples() ?? Unpack(state);
        var config = ConfigLoader.Load(Path.Combine(examples, "quickstart", "shoal.conf"));
        config = config with
        {
            StateDir = state,
            LogDir = Path.Combine(state, "logs"),
            Store = config.Store with { SqlitePath = Path.Combine(state, "shoal.db"), Postgres = null },
            Scheduler = config.Scheduler with { Port = 0, CommandPort = 0 },
        };
        Console.Error.WriteLine($"quickstart: embedded server, SQLite store in {config.Store.SqlitePath}");
        var app = await ShoalServer.BuildAsync(config, ct, minLevel: LogLevel.Warning).ConfigureAwait(false);
        await app.StartAsync(ct).ConfigureAwait(false);
        try
        {
            using var client = ShoalClient.Create(app.Url(), StateFiles.EnsureAdminToken(state));
            var streamJson = await File.ReadAllTextAsync(Path.Combine(examples, "quickstart", "stream.json"), ct).ConfigureAwait(false);
            var created = await client.SubmitAsync(streamJson, ct).ConfigureAwait(false);
            Console.Error.WriteLine($"quickstart: submitted stream {created.Id} ({string.Join(", ", created.Jobs.Keys)})");
            var final = await QuickstartProgress.FollowAsync(client, created.Id, ct).ConfigureAwait(false);
            if (json)
            {
                Render.Json(final);
            }
            else
            {
                Summary(final);
            }

            return final.State == "completed" ? 0 : 1;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            if (!keep)
            {
                TryDelete(state);
            }
        }
    }

    private static void Summary(StreamDto s)
    {
        var seconds = ((s.FinishedAt ?? s.CreatedAt) - s.CreatedAt).TotalSeconds;
        if (Render.Interactive)
        {
            AnsiConsole.MarkupLine($"stream [bold]{s.Id}[/] {Markup.Escape(s.Name)}: [bold]{s.State}[/] in {seconds:0.0} s");
            Render.Jobs(AnsiConsole.Console, s.Jobs);
            return;
        }

        Console.WriteLine($"stream {s.Id} {s.Name}: {s.State} in {seconds:0.0} s");
        Console.WriteLine("job\tname\ttype\tstate\tdone\tfailed");
        foreach (var j in s.Jobs)
        {
            Console.WriteLine($"{j.Id}\t{j.Name}\t{j.Type}\t{j.State}\t{j.Parts.Done}\t{j.Parts.Failed}");
        }
    }

    private static string? FindExamples()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "examples");
                if (File.Exists(Path.Combine(candidate, "quickstart", "shoal.conf")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The pipeline the program carries (a packaged tool or a single-file binary run away from a checkout), written
    /// out under <paramref name="state"/>: its confs call the agent script through /bin/bash, so no mode bit is needed.
    /// </summary>
    private static string Unpack(string state)
    {
        var root = Path.Combine(state, "examples");
        var assembly = typeof(QuickstartCommand).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("examples/", StringComparison.Ordinal)))
        {
            var path = Path.Combine(state, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var from = assembly.GetManifestResourceStream(name)!;
            using var to = File.Create(path);
            from.CopyTo(to);
        }

        return File.Exists(Path.Combine(root, "quickstart", "shoal.conf"))
            ? root
            : throw new CliException("cannot find examples/quickstart; run from the Shoal checkout or pass --examples", 2);
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
