using System.CommandLine;
using System.Text.Json;
using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Contracts;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal schedule add|list|remove|run-now|pause|resume</c>.</summary>
internal static class ScheduleCommand
{
    public static Command Build()
    {
        var command = new Command("schedule", "Recurring schedules that submit a stream from a template (cron or interval)");
        command.Subcommands.Add(Add());
        var list = new Command("list", "Schedules with their next run times");
        list.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
        {
            var all = await client.SchedulesAsync(ct).ConfigureAwait(false);
            if (all.Count == 0 && !g.Json)
            {
                await Console.Error.WriteLineAsync("no schedules yet (shoal schedule add NAME --cron '0 2 * * *' --stream FILE.json adds one)").ConfigureAwait(false);
                return 0;
            }

            static string When(ScheduleDto s) => s.Cron is null ? $"every {TimeSpan.FromSeconds(s.EverySeconds ?? 0)}" : $"cron '{s.Cron}' {s.TimeZone}";
            Render.Out(g.Json, all, rows => Render.Rows(
                rows,
                ["name", "when", "next run", "state", "misfire", "overlap", "last run", "stream"],
                s => [s.Name, When(s), s.NextRun.ToString("u"), s.Paused ? "paused" : "active", s.Misfire, s.Overlap ? "yes" : "", s.LastRun?.ToString("u") ?? "-", s.LastStream?.ToString() ?? "-"],
                "name",
                "when"));
            return 0;
        }));
        command.Subcommands.Add(list);
        foreach (var (verb, path, description) in new[]
        {
            ("remove", "", "Remove a schedule"),
            ("run-now", "/run-now", "Submit the schedule's stream now"),
            ("pause", "/pause", "Stop a schedule from firing"),
            ("resume", "/resume", "Let a paused schedule fire again"),
        })
        {
            var name = new Argument<string>("name") { Description = "Schedule name" };
            var sub = new Command(verb, description) { name };
            sub.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
            {
                var answer = verb == "remove"
                    ? await client.DeleteScheduleAsync(r.GetValue(name)!, ct).ConfigureAwait(false)
                    : await client.PostAsync($"api/v1/schedules/{Uri.EscapeDataString(r.GetValue(name)!)}{path}", null, ct).ConfigureAwait(false);
                Render.Out(g.Json, answer, a => Console.WriteLine($"schedule {r.GetValue(name)}: {verb}{(a.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.Number ? $" (stream {s})" : "")}"));
                return 0;
            }));
            command.Subcommands.Add(sub);
        }

        return command;
    }

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "Schedule name" };
        var cron = new Option<string?>("--cron") { Description = "Cron expression, e.g. '0 2 * * *' (5 fields, or 6 with seconds)" };
        var every = new Option<string?>("--every") { Description = "Interval instead of cron: 90s, 15m, 1h, 1d" };
        var tz = new Option<string?>("--tz") { Description = "Time zone of the cron expression (default UTC), e.g. Europe/Paris" };
        var stream = new Option<string?>("--stream") { Description = "The job stream JSON file to submit" };
        var sweep = new Option<string?>("--sweep") { Description = "Instead of --stream: a sweep request JSON file (the body of POST /api/v1/sweeps)" };
        var misfire = new Option<string>("--misfire") { Description = "A run missed while the server was down: once (run it at start) or skip", DefaultValueFactory = _ => "once" };
        var overlap = new Option<bool>("--overlap") { Description = "Start a new stream even while the previous one still runs" };
        var command = new Command("add", "Add a schedule") { name, cron, every, tz, stream, sweep, misfire, overlap };
        command.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, g) =>
        {
            var file = r.GetValue(stream) ?? r.GetValue(sweep) ?? throw new CliException("give --stream FILE or --sweep FILE", 2);
            JsonElement template;
            try
            {
                using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false));
                template = doc.RootElement.Clone();
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                throw new CliException($"{file}: {ex.Message}", 2);
            }

            var isSweep = r.GetValue(stream) is null;
            var request = new ScheduleRequest(
                r.GetValue(name)!,
                r.GetValue(cron),
                r.GetValue(every),
                r.GetValue(tz),
                isSweep ? default : template,
                r.GetValue(misfire),
                r.GetValue(overlap),
                isSweep ? template.Deserialize<SweepRequest>(ShoalJson.Options) : null);
            var added = await client.AddScheduleAsync(request, ct).ConfigureAwait(false);
            Render.Out(g.Json, added, s => Console.WriteLine($"schedule {s.Name}: next run {s.NextRun:u}"));
            return 0;
        }));
        return command;
    }
}
