using System.CommandLine;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal pause|resume|cancel ID</c>.</summary>
internal static class ControlCommand
{
    public static Command Build(string verb, string description)
    {
        var id = new Argument<long>("id") { Description = "Stream id" };
        var command = new Command(verb, description) { id };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            var answer = await client.ControlAsync(result.GetValue(id), verb, ct).ConfigureAwait(false);
            Render.Out(g.Json, answer, a => Console.WriteLine($"stream {a.Id}: {a.State}"));
            return 0;
        }));
        return command;
    }
}
