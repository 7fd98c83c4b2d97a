using System.CommandLine;
using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Contracts;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal submit FILE</c>: submits a job stream (JSON).</summary>
internal static class SubmitCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("file") { Description = "Job stream JSON file ('-' for standard input)" };
        var wait = new Option<bool>("--wait")
        {
            Description = "Wait until the stream ends (a progress line on a terminal); exit 0 when it completed with every part done, 1 when it failed, was cancelled or a part failed",
        };
        var check = new Option<bool>("--check")
        {
            Description = "Only check the stream against the server's agent types and say what it would create; submit nothing (exit 1 with the reason when it would be refused)",
        };
        var command = new Command("submit", "Submit a job stream (JSON: a name and jobs, each with a type, parts or generate, depends_on, requires_tags, timeout; see docs/streams.md). A stream may be as large as the server's max_stream_bytes (256 MiB); an NDJSON file goes as NDJSON") { file, wait, check };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            var path = result.GetValue(file)!;
            string json;
            try
            {
                json = path == "-" ? await Console.In.ReadToEndAsync(ct).ConfigureAwait(false) : await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot read {path}: {ex.Message}", 2);
            }

            if (result.GetValue(check))
            {
                var checkedStream = await client.CheckAsync(json, ct).ConfigureAwait(false);
                Render.Out(g.Json, checkedStream, Checked);
                return 0;
            }

            var created = await client.SubmitAsync(json, ct).ConfigureAwait(false);
            if (result.GetValue(wait))
            {
                await Console.Error.WriteLineAsync($"submitted stream {created.Id}: " + string.Join(", ", created.Jobs.Select(kv => $"{Render.Safe(kv.Key)}={kv.Value}"))).ConfigureAwait(false);
                return await StreamWait.FollowAsync(client, created.Id, g, ct).ConfigureAwait(false);
            }

            Render.Out(g.Json, created, c => Console.WriteLine($"submitted stream {c.Id}: " + string.Join(", ", c.Jobs.Select(kv => $"{Render.Safe(kv.Key)}={kv.Value}"))));
            return 0;
        }));
        return command;
    }

    private static void Checked(StreamCheckResponse c)
    {
        Console.WriteLine($"stream {Render.Safe(c.Name)} is valid (priority {c.Priority}); nothing was submitted:");
        foreach (var j in c.Jobs)
        {
            var parts = j.Generated is null ? $"{j.Parts} part(s)" : $"parts generated: {Render.Safe(j.Generated)}";
            var after = j.DependsOn.Count == 0 ? "" : $", after {string.Join(", ", j.DependsOn.Select(Render.Safe))}";
            Console.WriteLine($"  job {Render.Safe(j.Name)} ({Render.Safe(j.Type)}): {parts}{after}");
        }
    }
}
