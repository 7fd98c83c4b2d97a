using System.CommandLine;
using Shoal.Cli.Output;

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
                ? await client.JobControlAsync(result.GetValue(id).Id, verb, ct).ConfigureAwait(false)
                : await client.ControlAsync(result.GetValue(id).Id, verb, ct).ConfigureAwait(false);
            Render.Out(g.Json, answer, a => Console.WriteLine($"{(isJob ? "job" : "stream")} {a.Id}: {a.State}"));
            return 0;
        }));
        return command;
    }
}
