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
                var stream = await client.GetAsync(streamId, ct).ConfigureAwait(false);
                if (g.Json)
                {
                    Render.Json(stream);
                }
                else
                {
                    Render.Stream(stream);
                }
            }
            else
            {
                var list = await client.ListAsync(ct).ConfigureAwait(false);
                if (g.Json)
                {
                    Render.Json(list);
                }
                else
                {
                    Render.Streams(list);
                }
            }

            return 0;
        }));
        return command;
    }
}
