using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Core.Config;
using Shoal.Server;
using Shoal.Server.Hosting;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal server --config shoal.conf</c>: runs the daemon until SIGTERM or Ctrl-C.</summary>
internal static class ServerCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config", "-c") { Description = "Path to shoal.conf", DefaultValueFactory = _ => "shoal.conf" };
        var command = new Command("server", "Run the Shoal server (REST API, dispatcher, spawned agents)") { config };
        command.SetAction(async (result, ct) =>
        {
            ShoalConfig cfg;
            try
            {
                cfg = ConfigLoader.Load(result.GetValue(config)!);
            }
            catch (ConfigException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 2;
            }

            return await RunAsync(cfg, "shoal server", ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs a server on <paramref name="cfg"/> until it stops; 1 when it could not start or stopped on a failure.</summary>
    public static async Task<int> RunAsync(ShoalConfig cfg, string name, CancellationToken ct, System.Net.Sockets.TcpListener? commandPort = null)
    {
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = await ShoalServer.BuildAsync(cfg, ct, commandPort: commandPort).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A supervisor must see a server that could not start as failed: never exit 0 here.
            await Console.Error.WriteLineAsync($"{name}: cannot start: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var failure = app.Services.GetRequiredService<ServerFailure>();
        try
        {
            await app.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure.Set(ex.Message);
        }

        if (failure.Check() is { } reason)
        {
            await Console.Error.WriteLineAsync($"{name}: stopped: {reason}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
