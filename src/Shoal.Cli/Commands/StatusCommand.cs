using System.CommandLine;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal status [ID] [--servers]</c>: the streams, one stream with its jobs, or the servers of the cluster.</summary>
internal static class StatusCommand
{
    public static Command Build()
    {
        var id = Ids.StreamArgument();
        id.Description = "Stream id, omit to list streams (a number or s7)";
        id.Arity = ArgumentArity.ZeroOrOne;
        var servers = new Option<bool>("--servers") { Description = "Show the servers of the cluster (name, address, last seen, leader, agents)" };
        var watch = new Option<bool>("--watch")
        {
            Description = "With a stream id: follow it until it ends (done %, rate, time left on a terminal), then exit as submit --wait does",
        };
        var command = new Command("status", "Show streams, or one stream's jobs and part counts, or the cluster's servers") { id, servers, watch };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            if (result.GetValue(servers))
            {
                Render.Out(g.Json, await client.ServersAsync(ct).ConfigureAwait(false), Render.Servers);
            }
            else if (result.GetValue(id) is { Id: > 0 } followed && result.GetValue(watch))
            {
                return await StreamWait.FollowAsync(client, followed.Id, g, ct).ConfigureAwait(false);
            }
            else if (result.GetValue(watch))
            {
                throw new Client.CliException("--watch follows one stream: shoal status ID --watch", 2);
            }
            else if (result.GetValue(id) is { Id: > 0 } streamId)
            {
                Render.Out(g.Json, await client.GetAsync(streamId.Id, ct).ConfigureAwait(false), Render.Stream);
            }
            else
            {
                var streams = await client.ListAsync(ct).ConfigureAwait(false);
                Render.Out(g.Json, streams, Render.Streams);
                if (streams.Count == 0 && !g.Json)
                {
                    await Console.Error.WriteLineAsync("no streams yet (shoal submit FILE.json adds one)").ConfigureAwait(false);
                }

                if (!g.Json && Render.Interactive)
                {
                    // At a terminal, the cluster's servers follow the streams.
                    Render.Servers(await client.ServersAsync(ct).ConfigureAwait(false));
                }
            }

            return 0;
        }));
        return command;
    }
}
