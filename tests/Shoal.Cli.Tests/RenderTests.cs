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

    [Fact]
    public void StreamTable_At80Columns_KeepsRoomForTheName_AndEveryRowOnOneLine()
    {
        var at = new DateTimeOffset(2026, 12, 6, 3, 29, 33, TimeSpan.Zero);
        StreamSummaryDto[] streams =
        [
            new StreamSummaryDto(5, "sweep-20261206-032849", "operations-team@example.org", 0, "completed", at, at, Parts: 4, Done: 4),
            new StreamSummaryDto(1234567, "nightly-licence-scan-of-everything", "ops@example.org", 10, "running", at, null, Parts: 65536, Done: 1200, Failed: 3),
        ];
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 80;

        Render.StreamTable(console, streams);

        var text = writer.ToString();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldAllBe(l => l.TrimEnd().Length <= 80);
        lines.Length.ShouldBe(3, "a header and one line a stream: nothing folded\n" + text);
        lines[1].ShouldStartWith("5 ");
        lines[2].ShouldStartWith("1234567 ");
        text.ShouldContain(" name ");
        text.ShouldContain("sweep-2026", Case.Sensitive, "the name keeps what the other columns leave (11 here), cut with an ellipsis");
        text.ShouldContain("nightly-li");
        text.ShouldContain(" completed ");
        text.ShouldContain("1,200/65,536 (2%)");
        text.ShouldContain("12-06 03:29Z");
    }
}
