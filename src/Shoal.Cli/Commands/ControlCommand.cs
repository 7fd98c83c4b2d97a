using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Client;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal pause|resume|cancel ID</c>.</summary>
internal static class ControlCommand
{
    public static Command Build(string verb, string description, string jobDescription = "The id is a job's: control that job alone (its agents are suspended, resumed or stopped)")
    {
        var id = Ids.Argument("id", "Stream id (a job id with --job)");
        var job = new Option<bool>("--job") { Description = jobDescription };
        var command = new Command(verb, description) { id, job };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            var isJob = Ids.IsJob(result, id, job);
            var answer = isJob
                ? await client.ControlJobAsync(result.GetValue(id).Id, Enum.Parse<JobAction>(verb, ignoreCase: true), ct).ConfigureAwait(false)
                : await client.ControlStreamAsync(result.GetValue(id).Id, Enum.Parse<StreamAction>(verb, ignoreCase: true), ct).ConfigureAwait(false);
            Render.Out(g.Json, answer, a => Console.WriteLine($"{(isJob ? "job" : "stream")} {a.Id}: {a.State}"));
            return 0;
        }));
        return command;
    }
}
