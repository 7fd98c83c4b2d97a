using System.CommandLine;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal status [ID]</c>: the streams, or one stream with its jobs.</summary>
internal static class StatusCommand
{
    public static Command Build()
    {
        var id = new Argument<long?>("id") { Description = "Stream id (omit to list streams)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show streams, or one stream's jobs and part counts") { id };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            if (result.GetValue(id) is { } streamId)
            {
                Render.Out(g.Json, await client.GetAsync(streamId, ct).ConfigureAwait(false), Render.Stream);
            }
            else
            {
                Render.Out(g.Json, await client.ListAsync(ct).ConfigureAwait(false), Render.Streams);
            }

            return 0;
        }));
        return command;
    }
}
