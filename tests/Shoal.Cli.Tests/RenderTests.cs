using Shoal.Cli.Output;
using Shoal.Contracts;
using Shouldly;
using Spectre.Console;

namespace Shoal.Cli.Tests;

/// <summary>Tables on an 80-column terminal keep every word whole: names and notes are cut with an ellipsis, never folded.</summary>
public sealed class RenderTests
{
    [Fact]
    public void JobTable_At80Columns_KeepsStatesAndNumbersWhole()
    {
        JobDto[] jobs =
        [
            new JobDto(22, "copyright-scan-of-the-whole-upload", "copyright", "completed", new PartCountsDto(0, 0, 65536, 0), null, [], null, null),
            new JobDto(23, "nomos", "nomos", "failed", new PartCountsDto(3, 12, 100000, 7, 2), "part 'http://127.0.0.1:25690/upload/17' failed after 3 tries: exit 255, Connection refused", [], null, null),
        ];
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 80;

        Render.Jobs(console, jobs);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldAllBe(l => l.TrimEnd().Length <= 80);
        var text = writer.ToString();
        text.ShouldContain(" completed ");
        text.ShouldContain(" failed ");
        text.ShouldContain(" 65536 ");
        text.ShouldContain(" 100000 ");
        text.ShouldContain("job 23: 2 part(s) waiting to retry");
        text.ShouldContain("copyright-…");

        // The table's rows are one line each (nothing folded), and the reason is printed whole below it.
        lines.Count(l => l.StartsWith('│')).ShouldBe(3);
        text.Replace("\n", "", StringComparison.Ordinal).ShouldContain("job 23: part 'http://127.0.0.1:25690/upload/17' failed after 3 tries: exit 255, Connection refused");
    }
}
