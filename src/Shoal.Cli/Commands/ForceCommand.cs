using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Client;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal force JOB</c>: the job's parts go on top of the stack and waiting agents wake at once.</summary>
internal static class ForceCommand
{
    public static Command Build()
    {
        var id = Ids.JobArgument();
        var command = new Command("force", "Run a job now: its parts go before every priority and waiting agents wake") { id };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            Render.Out(g.Json, await client.ControlJobAsync(result.GetValue(id).Id, JobAction.Force, ct).ConfigureAwait(false), a => Console.WriteLine($"job {a.Id}: forced ({a.State})"));
            return 0;
        }));
        return command;
    }
}
