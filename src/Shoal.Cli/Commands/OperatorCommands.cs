using System.CommandLine;
using System.Text.Json;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary>The command port's commands as <c>shoal</c> subcommands: reload, kill, priority, verbose, load, database, stop, die.</summary>
internal static class OperatorCommands
{
    public static IEnumerable<Command> Build()
    {
        yield return Simple("reload", "Re-read shoal.conf and the agent confs (a broken file keeps the old configuration)", "api/v1/reload", _ => "reloaded");
        yield return Simple("database", "Look for new work now", "api/v1/database", _ => "polled");
        yield return Simple("stop", "Stop the server gracefully: no new work, running parts finish", "api/v1/stop", _ => "stopping");
        yield return Simple("die", "Kill every agent and stop the server", "api/v1/die", _ => "stopping; agents killed");

        var killJob = Ids.JobArgument();
        var message = new Argument<string>("message") { Description = "Why (the job's reason)" };
        var kill = new Command("kill", "Fail a job with a message; its dependents are cancelled") { killJob, message };
        kill.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
        {
            Print(g.Json, await client.PostAsync($"api/v1/jobs/{r.GetValue(killJob).Id}/kill", new { message = r.GetValue(message) }, ct).ConfigureAwait(false), e => $"job {e.GetProperty("id")}: {e.GetProperty("state")}");
            return 0;
        }));
        yield return kill;

        var prioJob = Ids.JobArgument();
        var level = new Argument<int>("priority") { Description = "New priority (higher goes first)" };
        var priority = new Command("priority", "Change a job's priority") { prioJob, level };
        priority.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
        {
            Print(g.Json, await client.PostAsync($"api/v1/jobs/{r.GetValue(prioJob).Id}/priority", new { priority = r.GetValue(level) }, ct).ConfigureAwait(false), e => $"job {e.GetProperty("id")}: priority {r.GetValue(level)}");
            return 0;
        }));
        yield return priority;

        var verboseLevel = new Argument<int>("level") { Description = "0-7, or a component bit mask from 8 up" };
        var verboseJob = new Option<long?>("--job") { Description = "Send VERBOSE to this job's agents instead" };
        var verbose = new Command("verbose", "Set the scheduler's (or a job's agents') verbosity") { verboseLevel, verboseJob };
        verbose.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
        {
            Print(g.Json, await client.PostAsync("api/v1/verbose", new { level = r.GetValue(verboseLevel), job = r.GetValue(verboseJob) }, ct).ConfigureAwait(false), e => $"verbose {e.GetProperty("level")}");
            return 0;
        }));
        yield return verbose;

        var load = new Command("load", "Hosts and their running agents (the command port's 'load')");
        load.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
        {
            var agents = await client.AgentsAsync(ct).ConfigureAwait(false);
            Render.Out(g.Json, agents.Hosts, hosts =>
            {
                foreach (var h in hosts.OrderBy(h => h.Name, StringComparer.Ordinal))
                {
                    Console.WriteLine($"host:{h.Name} address:{h.Address} max:{h.Max} running:{h.Running}{(h.Down ? " down" : "")}");
                }
            });
            return 0;
        }));
        yield return load;
    }

    private static Command Simple(string name, string description, string path, Func<JsonElement, string> text)
    {
        var command = new Command(name, description);
        command.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
        {
            Print(g.Json, await client.PostAsync(path, null, ct).ConfigureAwait(false), text);
            return 0;
        }));
        return command;
    }

    private static void Print(bool json, JsonElement answer, Func<JsonElement, string> text) => Render.Out(json, answer, e => Console.WriteLine(text(e)));
}
