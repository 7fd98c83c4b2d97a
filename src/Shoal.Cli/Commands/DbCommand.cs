using System.CommandLine;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal db stats</c>: row counts per table and the database's size.</summary>
internal static class DbCommand
{
    public static Command Build()
    {
        var stats = new Command("stats", "Row counts per table and the database's size");
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
        return new Command("db", "The store") { stats };
    }
}
