using System.CommandLine;
using Shoal.Cli.Client;
using Shoal.Client;

namespace Shoal.Cli.Commands;

/// <summary>The <c>shoal</c> root command and the options shared by its client commands.</summary>
internal static class ShoalCommand
{
    public static readonly Option<string?> Server = new("--server") { Description = "Server URL (default: read from <state-dir>/server.url)", Recursive = true };
    public static readonly Option<string?> TokenFile = new("--token-file") { Description = "File holding a token: an admin token (default: <state-dir>/admin.token), or for `shoal agent` the agent's token", Recursive = true };
    public static readonly Option<string?> StateDir = new("--state-dir") { Description = "The server's state folder (default: ./.shoal)", Recursive = true };
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON instead of tables", Recursive = true };

    public static RootCommand Build()
    {
        var root = new RootCommand("Shoal: a durable distributed job scheduler. Job streams, spawned and pull agents, leases that never lose work.");
        root.Options.Add(Server);
        root.Options.Add(TokenFile);
        root.Options.Add(StateDir);
        root.Options.Add(Json);
        root.Subcommands.Add(ServerCommand.Build());
        root.Subcommands.Add(FoSchedulerCommand.Build());
        root.Subcommands.Add(SubmitCommand.Build());
        root.Subcommands.Add(StatusCommand.Build());
        root.Subcommands.Add(ControlCommand.Build("pause", "Pause a stream (no new parts are leased) or, with --job, a job (its agents are suspended)"));
        root.Subcommands.Add(ControlCommand.Build("resume", "Resume a paused stream or job (restart)"));
        root.Subcommands.Add(ControlCommand.Build(
            "requeue",
            "Run a stream's failed parts again (fresh tries), or with --job one job's; the jobs their failure cancelled re-open",
            "The id is a job's: requeue that job's failed parts alone (a failed job re-opens, with the dependents its failure cancelled)"));
        root.Subcommands.Add(ControlCommand.Build("cancel", "Cancel a stream and its unfinished jobs, or with --job one job and its dependents"));
        root.Subcommands.Add(WhyCommand.Build());
        root.Subcommands.Add(FailedCommand.Build());
        root.Subcommands.Add(AgentsCommand.Build());
        root.Subcommands.Add(ForceCommand.Build());
        root.Subcommands.Add(TokenCommand.Build());
        root.Subcommands.Add(AgentCommand.Build());
        root.Subcommands.Add(SweepCommand.Build(gapfix: false));
        root.Subcommands.Add(SweepCommand.Build(gapfix: true));
        root.Subcommands.Add(ResultsCommand.Build());
        foreach (var command in OperatorCommands.Build())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(FoCliCommand.Build());
        root.Subcommands.Add(ScheduleCommand.Build());
        root.Subcommands.Add(LogsCommand.Build());
        root.Subcommands.Add(DbCommand.Build());
        root.Subcommands.Add(QuickstartCommand.Build());
        root.Subcommands.Add(InitCommand.Build());
        root.Subcommands.Add(CompletionCommand.Build());
        return root;
    }

    public static GlobalOptions Globals(ParseResult result) =>
        new(result.GetValue(Server), result.GetValue(TokenFile), result.GetValue(StateDir), result.GetValue(Json));

    /// <summary>Runs a client action, turning its failures into one line on stderr and an exit code.</summary>
    public static async Task<int> RunAsync(ParseResult result, Func<ShoalClient, GlobalOptions, Task<int>> action)
    {
        try
        {
            var globals = Globals(result);
            using var client = ServerLocator.Connect(globals);
            return await action(client, globals).ConfigureAwait(false);
        }
        catch (Exception caught) when (CliException.From(caught) is { } ex)
        {
            await Console.Error.WriteLineAsync("shoal: " + ex.Message).ConfigureAwait(false);
            return ex.ExitCode;
        }
    }
}
