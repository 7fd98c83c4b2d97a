using System.CommandLine;
using Shoal.Cli.Client;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal submit FILE</c>: submits a job stream (JSON).</summary>
internal static class SubmitCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("file") { Description = "Job stream JSON file ('-' for standard input)" };
        var command = new Command("submit", "Submit a job stream") { file };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            var path = result.GetValue(file)!;
            string json;
            try
            {
                json = path == "-" ? await Console.In.ReadToEndAsync(ct).ConfigureAwait(false) : await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new CliException($"cannot read {path}: {ex.Message}", 2);
            }

            var created = await client.SubmitAsync(json, ct).ConfigureAwait(false);
            Render.Out(g.Json, created, c => Console.WriteLine($"submitted stream {c.Id}: " + string.Join(", ", c.Jobs.Select(kv => $"{Render.Safe(kv.Key)}={kv.Value}"))));
            return 0;
        }));
        return command;
    }
}
