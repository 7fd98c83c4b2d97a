using System.CommandLine;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal why JOB</c>: why a job is not progressing.</summary>
internal static class WhyCommand
{
    public static Command Build()
    {
        var id = new Argument<long>("job") { Description = "Job id" };
        var command = new Command("why", "Explain why a job is not running or not progressing") { id };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            var why = await client.WhyAsync(result.GetValue(id), ct).ConfigureAwait(false);
            if (g.Json)
            {
                Render.Json(why);
            }
            else
            {
                Console.WriteLine($"job {why.Job} is {why.State}:");
                foreach (var reason in why.Reasons)
                {
                    Console.WriteLine("  - " + reason);
                }
            }

            return 0;
        }));
        return command;
    }
}
