using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Core.Config;
using Shoal.Storage;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal db stats|status|migrate</c>: the store's size, and its schema version.</summary>
internal static class DbCommand
{
    public static Command Build()
    {
        var stats = new Command("stats", "Row counts per table and the database's size (asks the running server)");
        stats.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
        {
            var answer = await client.GetJsonAsync("api/v1/db/stats", ct).ConfigureAwait(false);
            Render.Out(g.Json, answer, e =>
            {
                foreach (var p in e.EnumerateObject())
                {
                    Console.WriteLine($"{p.Name}\t{p.Value}");
                }
            });
            return 0;
        }));
        return new Command("db", "The store: size, schema version, migrations")
        {
            stats,
            Schema("status", "Show the store's schema version and whether migrations are pending (exit 1 when they are)", migrate: false),
            Schema("migrate", "Apply the pending schema migrations (servers also do at start); safe to run on a live cluster", migrate: true),
        };
    }

    private static Command Schema(string name, string description, bool migrate)
    {
        var config = new Option<string>("--config", "-c") { Description = "Path to shoal.conf (its [STORE] section, or SHOAL_POSTGRES)", DefaultValueFactory = _ => "shoal.conf" };
        var command = new Command(name, description) { config };
        command.SetAction(async (result, ct) =>
        {
            StoreOptions options;
            try
            {
                options = ConfigLoader.Load(result.GetValue(config)!).Store;
            }
            catch (ConfigException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 2;
            }

            await using var store = StoreFactory.Open(options);
            if (migrate)
            {
                await store.MigrateAsync(ct).ConfigureAwait(false);
            }

            var (current, latest) = await store.SchemaStatusAsync(ct).ConfigureAwait(false);
            var where = StoreFactory.Describe(store);
            Console.WriteLine(current >= latest
                ? $"{where}: schema version {current} of {latest}, up to date"
                : $"{where}: schema version {current} of {latest}, {latest - current} migration(s) pending: run 'shoal db migrate'");
            return current >= latest ? 0 : 1;
        });
        return command;
    }
}
