using System.CommandLine;
using Shoal.Core.Config;
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

            var app = await ShoalServer.BuildAsync(cfg, ct).ConfigureAwait(false);
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
