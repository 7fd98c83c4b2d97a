using System.Globalization;
using System.Text.Json;
using Shoal.Contracts;
using Spectre.Console;

namespace Shoal.Cli.Output;

/// <summary>Tables on a terminal, plain tab-separated lines when redirected, JSON on request.</summary>
internal static class Render
{
    private static readonly JsonSerializerOptions Indented = new(ShoalJson.Options) { WriteIndented = true };

    public static bool Interactive => !Console.IsOutputRedirected;

    /// <summary>
    /// Text that came from agents, payloads or users, made safe to print: control characters (ESC, BEL, CR, tabs,
    /// line breaks…) and bidirectional overrides are shown escaped (<c>\t</c>, <c>\n</c>, <c>\x1b</c>, <c>\u202e</c>), so
    /// nobody can drive an operator's terminal or break a tab-separated line.
    /// </summary>
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(Unsafe))
        {
            return text ?? "";
        }

        var b = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            b.Append(c switch
            {
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when Unsafe(c) => c < 0x100 ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return b.ToString();
    }

    /// <summary>Like <see cref="Safe"/> for multi-line text (logs): newlines and tabs stay, other controls are escaped.</summary>
    public static string SafeLines(string text) =>
        string.Join('\n', text.Split('\n').Select(line => string.Join('\t', line.Split('\t').Select(Safe))));

    private static bool Unsafe(char c) => char.IsControl(c) || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u200e' or '\u200f';

    public static void Json<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>Prints <paramref name="value"/> as JSON with --json, else as <paramref name="text"/> renders it.</summary>
    public static void Out<T>(bool json, T value, Action<T> text)
    {
        if (json)
        {
            Json(value);
        }
        else
        {
            text(value);
        }
    }

    public static void Streams(IReadOnlyList<StreamSummaryDto> streams)
    {
        if (!Interactive)
        {
            foreach (var s in streams)
            {
                Console.WriteLine($"{s.Id}\t{s.State}\t{s.Priority}\t{Safe(s.Name)}\t{s.CreatedAt:u}{(s.Stuck is null ? "" : "\tstuck: " + Safe(s.Stuck))}");
            }

            return;
        }

        var stuck = streams.Any(s => s.Stuck is not null);
        var table = new Table().AddColumns("id", "state", "priority", "name", "owner", "created");
        if (stuck)
        {
            table.AddColumn("stuck");
        }

        foreach (var s in streams)
        {
            string[] cells = [s.Id.ToString(), Markup.Escape(s.State), s.Priority.ToString(), Markup.Escape(Safe(s.Name)), Markup.Escape(Safe(s.Owner)), s.CreatedAt.ToString("u")];
            table.AddRow(stuck ? [.. cells, s.Stuck is null ? "" : $"[red]{Markup.Escape(Safe(s.Stuck))}[/]"] : cells);
        }

        AnsiConsole.Write(table);
    }

    public static void Servers(IReadOnlyList<ServerDto> servers)
    {
        if (!Interactive)
        {
            foreach (var s in servers)
            {
                Console.WriteLine($"{s.Name}\t{s.State}\t{(s.Leader ? "leader" : "-")}\t{s.Url}\t{s.LastSeen:u}\t{s.Agents.Count}\tclock {ClockOffset(s)}");
            }

            return;
        }

        var table = new Table().AddColumns("server", "state", "leader", "url", "last seen", "agents", "clock");
        foreach (var s in servers)
        {
            table.AddRow(Markup.Escape(s.Name), s.State, s.Leader ? "yes" : "", Markup.Escape(s.Url), s.LastSeen.ToString("u"), s.Agents.Count.ToString(), Markup.Escape(ClockOffset(s)));
        }

        AnsiConsole.Write(table);
    }

    /// <summary>A server's clock offset to the database's: "ok", or "+30.0 s behind (skewed)" past a second.</summary>
    private static string ClockOffset(ServerDto s) =>
        Math.Abs(s.ClockOffsetMs) <= 1000 ? "ok" : string.Create(CultureInfo.InvariantCulture, $"{s.ClockOffsetMs / 1000.0:+0.0;-0.0} s behind the database (skewed)");

    public static void Stream(StreamDto s)
    {
        if (!Interactive)
        {
            Console.WriteLine($"stream {s.Id} {Safe(s.Name)}: {s.State}{Stuck(s)}");
            foreach (var j in s.Jobs)
            {
                Console.WriteLine($"{j.Id}\t{Safe(j.Name)}\t{j.Type}\t{j.State}\tready={j.Parts.Ready} leased={j.Parts.Leased} done={j.Parts.Done} failed={j.Parts.Failed}{(j.Parts.Retrying > 0 ? $" retrying={j.Parts.Retrying}" : "")}{(j.Reason is null ? "" : "\t" + Safe(j.Reason))}");
            }

            return;
        }

        AnsiConsole.MarkupLine($"stream [bold]{s.Id}[/] {Markup.Escape(Safe(s.Name))}: [bold]{Markup.Escape(s.State)}[/][red]{Markup.Escape(Stuck(s))}[/]");
        AnsiConsole.Write(JobTable(s.Jobs));
    }

    private static string Stuck(StreamDto s) => s.Stuck is null ? "" : $", stuck since {s.StuckSince:u}: {Safe(s.Stuck)}";

    public static Table JobTable(IEnumerable<JobDto> jobs)
    {
        var table = new Table().AddColumns("job", "name", "type", "state", "done", "failed", "leased", "ready", "note");
        foreach (var j in jobs)
        {
            table.AddRow(
                j.Id.ToString(),
                Markup.Escape(Safe(j.Name)),
                Markup.Escape(j.Type),
                Markup.Escape(j.State),
                j.Parts.Done.ToString(),
                j.Parts.Failed.ToString(),
                j.Parts.Leased.ToString(),
                j.Parts.Retrying > 0 ? $"{j.Parts.Ready} (+{j.Parts.Retrying} retrying)" : j.Parts.Ready.ToString(),
                Markup.Escape(Safe(j.Reason)));
        }

        return table;
    }
}
