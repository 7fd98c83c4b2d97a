using Shoal.Core.Streams;
using Shouldly;

namespace Shoal.Core.Tests.Streams;

public sealed class StreamLinesTests
{
    private static readonly string[] Known = ["ununpack", "nomos"];

    private static SpecResult Read(params string[] lines)
    {
        var reader = new StreamLines(Known);
        foreach (var line in lines)
        {
            if (reader.Add(line) is { } refused)
            {
                return SpecResult.Fail(refused);
            }
        }

        return reader.Finish();
    }

    [Fact]
    public void LinesOfParts_ReplaceTheEmptyPart_OrFollowTheGivenOnes_InOrder()
    {
        var spec = Read(
            """{"name":"big","jobs":[{"name":"unpack","type":"ununpack","parts":["a.tar"]},{"name":"scan","type":"nomos","depends_on":["unpack"]},{"name":"report","type":"nomos"}]}""",
            """{"job":"scan","parts":["f1","f2"]}""",
            "",
            """{"job":"unpack","parts":["b.tar"]}""",
            """{"job":"scan","parts":[{"key":"0f","file":"f3"}]}""").Spec.ShouldNotBeNull();

        spec.Jobs[0].Parts.Select(p => p.Payload).ShouldBe(["a.tar", "b.tar"]);
        spec.Jobs[1].Parts.Select(p => p.Payload).ShouldBe(["f1", "f2", """{"key":"0f","file":"f3"}"""]);
        spec.Jobs[1].Parts[2].Key.ShouldBe("0f");
        spec.Jobs[2].Parts.Single().Payload.ShouldBe("", "a job no line names keeps its one empty part");
    }

    [Theory]
    [InlineData("""{"job":"ghost","parts":["x"]}""", "line 2: the stream (line 1) has no job 'ghost'")]
    [InlineData("""{"job":"gen","parts":["x"]}""", "line 2: job 'gen' generates its parts; it takes none")]
    [InlineData("""{"job":"scan","parts":[]}""", "line 2: job 'scan': 'parts' must be a non-empty array")]
    [InlineData("""{"job":"scan","parts":["a\nb"]}""", "line 2: job 'scan': parts[0] contains a line break")]
    [InlineData("""{"job":"scan","parts":[7]}""", "line 2: job 'scan': parts[0] must be a string or an object")]
    [InlineData("""{"job":"scan"}""", "line 2: 'parts' is required")]
    [InlineData("""{"jbo":"scan","parts":["x"]}""", "line 2: 'jbo' is not a field of a line of parts (did you mean 'job'?)")]
    [InlineData("""{"job":"scan","parts":["x"]""", "line 2: malformed JSON at line 1, column")]
    public void ABadLine_IsRefused_NamingItsLine(string line, string expected)
    {
        Read("""{"name":"s","jobs":[{"name":"scan","type":"nomos"},{"name":"gen","type":"nomos","generate":{"range":"10.0.0.0/30"}}]}""", line)
            .Error.ShouldNotBeNull().ShouldStartWith(expected);
    }

    [Fact]
    public void TheFirstLine_IsCheckedAsAStream_AndAnEmptyBodyIsRefused()
    {
        Read("""{"name":"s","jobs":[{"name":"a","type":"nope"}]}""").Error.ShouldNotBeNull().ShouldStartWith("line 1: job 'a': unknown agent type 'nope'");
        Read("", "  ").Error.ShouldBe("the body has no lines: its first line is the stream");
    }
}
