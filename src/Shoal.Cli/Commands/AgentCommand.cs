using System.CommandLine;
using System.Runtime.InteropServices;
using Shoal.Agent;
using Shoal.Cli.Client;
using Shoal.Core.Config;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal agent</c>: the generic pull agent.</summary>
internal static class AgentCommand
{
    public static Command Build()
    {
        var types = new Option<string>("--types") { Description = "Agent types to work on, comma-separated (with --run)" };
        var run = new Option<string>("--run") { Description = "Command per part; {payload} is replaced by the part's payload (no shell unless --shell)" };
        var collector = new Option<string>("--collector")
        {
            Description = "Instead of --types and --run: be the sweep collector of a zone (--zone); the command runs once per host of the zone, {host} replaced (no shell unless --shell)",
        };
        var zone = new Option<string>("--zone") { Description = "With --collector: the zone whose hosts to visit (the token needs the tag zone:ZONE)" };
        var hostTimeout = new Option<double>("--host-timeout") { Description = "With --collector: seconds before a host's collector is killed", DefaultValueFactory = _ => 600 };
        var shell = new Option<bool>("--shell") { Description = "Run the command with /bin/sh -c (the payload is single-quoted)" };
        var concurrency = new Option<int>("--concurrency", "--threads") { Description = "Parts (with --collector: hosts) run at once", DefaultValueFactory = _ => 4 };
        var wait = new Option<int>("--wait") { Description = "Seconds one lease request waits for work (long-poll)", DefaultValueFactory = _ => 20 };
        var verbose = new Option<bool>("--verbose") { Description = "One line per finished part on stderr" };
        var stopGrace = new Option<int>("--stop-grace")
        {
            Description = "On SIGTERM: seconds to keep retrying reports the server does not take (it is unreachable) before giving them up; a second SIGTERM gives up at once and kills running parts",
            DefaultValueFactory = _ => 30,
        };
        var command = new Command("agent", "Run a generic pull agent: lease parts over REST and run a command for each") { types, run, collector, zone, hostTimeout, shell, concurrency, wait, verbose, stopGrace };
        command.SetAction(async (result, ct) =>
        {
            try
            {
                var g = ShoalCommand.Globals(result);
                var (url, token) = ServerLocator.Resolve(g);
                var collecting = result.GetValue(collector) is not null;
                var (flag, text) = collecting ? ("--collector", result.GetValue(collector)!) : ("--run", result.GetValue(run));
                var zoneName = result.GetValue(zone);
                if (collecting ? result.GetValue(run) is not null || result.GetValue(types) is not null || zoneName is null
                    : text is null || result.GetValue(types) is null || zoneName is not null)
                {
                    throw new CliException("give --types and --run (a pull agent), or --collector and --zone (a zone's sweep collector)", 2);
                }

                if (zoneName is not null && Core.Sweeps.ZoneName.Problem(zoneName) is { } zoneProblem)
                {
                    throw new CliException($"--zone: '{zoneName}' {zoneProblem}", 2);
                }

                var words = CommandLineSplitter.Split(text!, out var error);
                if (error is not null || words.Count == 0)
                {
                    throw new CliException($"{flag}: {error ?? "empty command"}", 2);
                }

                var seconds = result.GetValue(hostTimeout);
                if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 86_400)
                {
                    throw new CliException($"--host-timeout: must be a number of seconds from 0 to 86400, got {seconds}", 2);
                }

                var options = new PullAgentOptions
                {
                    Types = collecting ? [BuiltInTypes.Sweep] : result.GetValue(types)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Command = words,
                    Placeholder = collecting ? "{host}" : "{payload}",
                    PartTimeout = collecting ? TimeSpan.FromSeconds(seconds) : null,
                    Shell = result.GetValue(shell),
                    Concurrency = Math.Max(1, result.GetValue(concurrency)),
                    Wait = TimeSpan.FromSeconds(Math.Clamp(result.GetValue(wait), 0, 60)),
                    Progress = result.GetValue(verbose) ? line => Console.Error.WriteLine(line) : null,
                    Notice = line => Console.Error.WriteLine("shoal agent: " + line),
                    StopGrace = TimeSpan.FromSeconds(Math.Max(0, result.GetValue(stopGrace))),
                };
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using var abort = new CancellationTokenSource();
                using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
                {
                    ctx.Cancel = true;
                    if (stop.IsCancellationRequested)
                    {
                        Console.Error.WriteLine("shoal agent: second SIGTERM: killing running parts, giving up undelivered reports");
                        abort.Cancel();
                        return;
                    }

                    Console.Error.WriteLine("shoal agent: SIGTERM: no new parts; finishing the running ones and reporting them");
                    stop.Cancel();
                });
                using var client = new PullAgentClient(new Uri(url), token);
                var runner = collecting
                    ? new PullAgentRunner(new CollectorPartSource(client, zoneName!, options.PartTimeout!.Value), options)
                    : new PullAgentRunner(client, options);
                Console.Error.WriteLine(collecting
                    ? $"shoal agent: collecting in zone {zoneName} for {url}, {options.Concurrency} hosts at a time"
                    : $"shoal agent: working on {string.Join(',', options.Types)} at {url}, {options.Concurrency} at a time");
                await runner.RunAsync(stop.Token, abort.Token).ConfigureAwait(false);
                var undelivered = runner.Undelivered > 0 ? $", {runner.Undelivered} not reported (the server runs them again)" : "";
                Console.Error.WriteLine($"shoal agent: stopped; {runner.Done} parts done, {runner.Failed} failed{undelivered}");
                return runner.Undelivered > 0 ? 1 : 0;
            }
            catch (Exception caught) when (CliException.From(caught) is { } ex)
            {
                await Console.Error.WriteLineAsync("shoal agent: " + ex.Message).ConfigureAwait(false);
                return ex.ExitCode;
            }
            catch (PullAgentException ex) when (ex.IsPermanent)
            {
                // A bad or revoked token, a type the server does not know: retrying would not help. One line, no stack.
                var hint = ex.Status == 401 ? " (is the token right? see shoal token list)" : "";
                await Console.Error.WriteLineAsync($"shoal agent: the server refused: {ex.Message}{hint}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }
}
