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
        var types = new Option<string>("--types") { Description = "Agent types to work on, comma-separated", Required = true };
        var run = new Option<string>("--run") { Description = "Command per part; {payload} is replaced by the part's payload (no shell unless --shell)", Required = true };
        var shell = new Option<bool>("--shell") { Description = "Run the command with /bin/sh -c (the payload is single-quoted)" };
        var concurrency = new Option<int>("--concurrency") { Description = "Parts run at once", DefaultValueFactory = _ => 4 };
        var wait = new Option<int>("--wait") { Description = "Seconds one lease request waits for work (long-poll)", DefaultValueFactory = _ => 20 };
        var verbose = new Option<bool>("--verbose") { Description = "One line per finished part on stderr" };
        var stopGrace = new Option<int>("--stop-grace")
        {
            Description = "On SIGTERM: seconds to keep retrying reports the server does not take (it is unreachable) before giving them up; a second SIGTERM gives up at once and kills running parts",
            DefaultValueFactory = _ => 30,
        };
        var command = new Command("agent", "Run a generic pull agent: lease parts over REST and run a command for each") { types, run, shell, concurrency, wait, verbose, stopGrace };
        command.SetAction(async (result, ct) =>
        {
            try
            {
                var g = ShoalCommand.Globals(result);
                var (url, token) = ServerLocator.Resolve(g);
                var words = CommandLineSplitter.Split(result.GetValue(run)!, out var error);
                if (error is not null || words.Count == 0)
                {
                    throw new CliException($"--run: {error ?? "empty command"}", 2);
                }

                var options = new PullAgentOptions
                {
                    Types = result.GetValue(types)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Command = words,
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
                var runner = new PullAgentRunner(client, options);
                Console.Error.WriteLine($"shoal agent: working on {string.Join(',', options.Types)} at {url}, {options.Concurrency} at a time");
                await runner.RunAsync(stop.Token, abort.Token).ConfigureAwait(false);
                var undelivered = runner.Undelivered > 0 ? $", {runner.Undelivered} not reported (the server runs them again)" : "";
                Console.Error.WriteLine($"shoal agent: stopped; {runner.Done} parts done, {runner.Failed} failed{undelivered}");
                return runner.Undelivered > 0 ? 1 : 0;
            }
            catch (CliException ex)
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
