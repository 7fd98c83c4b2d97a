using System.CommandLine;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal why JOB</c>: why a job is not progressing.</summary>
internal static class WhyCommand
{
    public static Command Build()
    {
        var id = Ids.JobArgument();
        var command = new Command("why", "Explain why a job is not running or not progressing") { id };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            var why = await client.WhyAsync(result.GetValue(id).Id, ct).ConfigureAwait(false);
            Render.Out(g.Json, why, w => Console.WriteLine($"job {w.Job} is {w.State}:\n" + string.Join('\n', w.Reasons.Select(r => "  - " + Render.Safe(r)))));
            return 0;
        }));
        return command;
    }
}
