using System.Globalization;
using System.Text.Json;
using Shoal.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

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
            // Piped: the table's columns, tab-separated under a header line, numbers without separators; always the
            // same columns (a stream that is not stuck has an empty last one), so that a script can rely on them.
            Console.WriteLine("id\tstate\tdone\tparts\tfailed\tpriority\tname\towner\tcreated\tstuck");
            foreach (var s in streams)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Id}\t{s.State}\t{s.Done}\t{s.Parts}\t{s.Failed}\t{s.Priority}\t{Safe(s.Name)}\t{Safe(s.Owner)}\t{s.CreatedAt:u}\t{Safe(s.Stuck)}"));
            }

            return;
        }

        StreamTable(AnsiConsole.Console, streams);
    }

    /// <summary>
    /// The stream list on a terminal: the name keeps room (the owner column only from 100 columns on, the time to the
    /// minute); piped and <c>--json</c> output keep everything.
    /// </summary>
    public static void StreamTable(IAnsiConsole console, IReadOnlyList<StreamSummaryDto> streams)
    {
        var wide = console.Profile.Width >= 100;
        string[] headers = wide ? ["id", "state", "done", "failed", "prio", "name", "owner", "created"] : ["id", "state", "done", "failed", "prio", "name", "created"];
        var rows = streams.Select(string[] (s) =>
        {
            var created = s.CreatedAt.UtcDateTime.ToString(wide ? "yyyy-MM-dd HH:mm'Z'" : "MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
            string[] cells = [s.Id.ToString(CultureInfo.InvariantCulture), s.State, Done(s), s.Failed.ToString("N0", CultureInfo.InvariantCulture), s.Priority.ToString(CultureInfo.InvariantCulture), Safe(s.Name)];
            return wide ? [.. cells, Safe(s.Owner), created] : [.. cells, created];
        }).ToList();

        // Spectre shrinks whichever column it likes (the name to nothing, the time folded): the widths are set here.
        // Every column but the name and the owner keeps its whole width; those two share what is left. Below 100
        // columns the table has no borders (two spaces between columns) and the time no year.
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var name = Array.IndexOf(headers, "name");
        var owner = Array.IndexOf(headers, "owner");
        var room = console.Profile.Width - (wide ? (3 * headers.Length) + 1 : 2 * headers.Length) - widths.Where((_, i) => i != name && i != owner).Sum();
        var ownerWidth = owner < 0 ? 0 : Math.Min(widths[owner], Math.Max(5, room / 3));
        widths[name] = Math.Min(widths[name], Math.Max(4, room - ownerWidth));
        if (owner >= 0)
        {
            widths[owner] = ownerWidth;
        }

        var table = Fitting(headers, "name", "owner");
        for (var i = 0; i < headers.Length; i++)
        {
            table.Columns[i].Width(widths[i]);
            if (!wide)
            {
                table.Columns[i].Padding(0, 0, 2, 0);
            }
        }

        if (!wide)
        {
            table.Border(TableBorder.None);
        }

        foreach (var (s, r) in streams.Zip(rows))
        {
            var cells = r.Select(Markup.Escape).ToArray();
            cells[3] = s.Failed == 0 ? "0" : $"[red]{cells[3]}[/]";
            AddRow(table, cells);
        }

        console.Write(table);
        foreach (var s in streams.Where(s => s.Stuck is not null))
        {
            console.MarkupLine($"[red]stream {s.Id} stuck{(s.StuckSince is { } since ? " since " + since.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : "")}: {Markup.Escape(Safe(s.Stuck))}[/]");
        }
    }

    /// <summary>"1,200/4,000 (30%)": the parts done of a listed stream.</summary>
    private static string Done(StreamSummaryDto s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Done:N0}/{s.Parts:N0} ({(s.Parts == 0 ? 0 : 100.0 * s.Done / s.Parts):0}%)");

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

        var table = Fitting(["server", "state", "leader", "url", "last seen", "agents", "clock"], "server", "url", "clock");
        foreach (var s in servers)
        {
            AddRow(table, Markup.Escape(s.Name), s.State, s.Leader ? "yes" : "", Markup.Escape(s.Url), s.LastSeen.ToString("u"), s.Agents.Count.ToString(), Markup.Escape(ClockOffset(s)));
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
                Console.WriteLine($"{j.Id}\t{Safe(j.Name)}\t{j.Type}\t{j.State}\tready={j.Parts.Ready} leased={j.Parts.Leased} done={j.Parts.Done} failed={j.Parts.Failed}{(j.Parts.Retrying > 0 ? $" retrying={j.Parts.Retrying}" : "")}{(j.Parts.NotRun > 0 ? $" not_run={j.Parts.NotRun}" : "")}{(j.Reason is null ? "" : "\t" + Safe(j.Reason))}");
            }

            return;
        }

        AnsiConsole.MarkupLine($"stream [bold]{s.Id}[/] {Markup.Escape(Safe(s.Name))}: [bold]{Markup.Escape(s.State)}[/][red]{Markup.Escape(Stuck(s))}[/]");
        Jobs(AnsiConsole.Console, s.Jobs);
    }

    private static string Stuck(StreamDto s) => s.Stuck is null ? "" : $", stuck since {s.StuckSince:u}: {Safe(s.Stuck)}";

    /// <summary>
    /// A stream's jobs on a terminal: a table of counts whose states and numbers are never folded, then each job's
    /// note (its reason, parts waiting to retry) on a line of its own, whole, below the table.
    /// </summary>
    public static void Jobs(IAnsiConsole console, IReadOnlyList<JobDto> jobs)
    {
        var table = Fitting(["job", "name", "type", "state", "done", "failed", "leased", "ready"], "name", "type");
        foreach (var j in jobs)
        {
            AddRow(table,
                j.Id.ToString(),
                Markup.Escape(Safe(j.Name)),
                Markup.Escape(j.Type),
                Markup.Escape(j.State),
                j.Parts.Done.ToString(),
                j.Parts.Failed.ToString(),
                j.Parts.Leased.ToString(),
                j.Parts.Ready.ToString());
        }

        console.Write(table);
        foreach (var j in jobs)
        {
            if (j.Parts.Retrying > 0)
            {
                console.MarkupLine($"job {j.Id}: {j.Parts.Retrying} part(s) waiting to retry");
            }

            if (j.Parts.NotRun > 0)
            {
                console.MarkupLine($"job {j.Id}: {j.Parts.NotRun} part(s) not run (the job ended before them)");
            }

            if (j.Reason is not null)
            {
                console.MarkupLine($"job {j.Id}: [red]{Markup.Escape(Safe(j.Reason))}[/]");
            }
        }
    }

    /// <summary>
    /// A table that fits the terminal without breaking a word: every column keeps its cells whole, except the
    /// <paramref name="shrinking"/> ones (names, notes), which are cut with an ellipsis when the width runs out.
    /// </summary>
    public static Table Fitting(IReadOnlyList<string> columns, params string[] shrinking)
    {
        var table = new Table();
        foreach (var name in columns)
        {
            var column = new TableColumn(name);
            if (!shrinking.Contains(name))
            {
                column.NoWrap();
            }

            table.AddColumn(column);
        }

        return table;
    }

    /// <summary>A row whose text is cut with an ellipsis rather than folded mid-word when its column is narrow.</summary>
    public static void AddRow(Table table, params string[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Markup(c).Overflow(Overflow.Ellipsis)).ToArray());

    /// <summary>
    /// Rows as a table with a header on a terminal (cells escaped; <paramref name="shrinking"/> columns cut with an
    /// ellipsis), or, piped, the same columns as tab-separated lines under a header line (a tab or line break inside a
    /// cell shown escaped), so that a script reads them by name.
    /// </summary>
    public static void Rows<T>(IEnumerable<T> items, IReadOnlyList<string> headers, Func<T, string[]> cells, params string[] shrinking)
    {
        if (!Interactive)
        {
            Console.WriteLine(string.Join('\t', headers));
            foreach (var item in items)
            {
                Console.WriteLine(string.Join('\t', cells(item).Select(c => Safe(c))));
            }

            return;
        }

        var table = Fitting(headers, shrinking);
        foreach (var item in items)
        {
            AddRow(table, cells(item).Select(c => Markup.Escape(Safe(c))).ToArray());
        }

        AnsiConsole.Write(table);
    }
}
