using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Client;

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
        var state = new Option<string?>("--state") { Description = "List only streams in this state (queued, running, paused, completed, failed, cancelled)" };
        var name = new Option<string?>("--name") { Description = "List only streams whose name contains this" };
        var owner = new Option<string?>("--owner") { Description = "List only the streams of this owner" };
        var limit = new Option<int?>("--limit") { Description = "List at most this many streams, newest first (1-1000; default 100)" };
        var command = new Command("status", "Show streams, or one stream's jobs and part counts, or the cluster's servers") { id, servers, watch, state, name, owner, limit };
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
                Render.Out(g.Json, await client.GetStreamAsync(streamId.Id, ct).ConfigureAwait(false), Render.Stream);
            }
            else
            {
                var filtered = result.GetValue(state) is not null || result.GetValue(name) is not null || result.GetValue(owner) is not null;
                if (result.GetValue(limit) is { } max && max is < 1 or > 1000)
                {
                    throw new Client.CliException($"--limit must be from 1 to 1000, got {max}", 2);
                }

                var streams = await client.ListStreamsAsync(result.GetValue(state), result.GetValue(name), result.GetValue(owner), result.GetValue(limit), ct).ConfigureAwait(false);
                Render.Out(g.Json, streams, Render.Streams);
                if (streams.Count == 0 && !g.Json)
                {
                    await Console.Error.WriteLineAsync(filtered ? "no stream matches" : "no streams yet (shoal submit FILE.json adds one)").ConfigureAwait(false);
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
