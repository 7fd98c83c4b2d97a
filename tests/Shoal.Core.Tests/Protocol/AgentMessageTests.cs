using FsCheck.Xunit;
using Shoal.Core.Protocol;
using Shouldly;

namespace Shoal.Core.Tests.Protocol;

public sealed class AgentMessageTests
{
    [Theory]
    [InlineData("VERSION: 4.3.0", AgentMessageKind.Version, 0, 0)]
    [InlineData("OK", AgentMessageKind.Ok, 0, 0)]
    [InlineData("HEART: 120 1", AgentMessageKind.Heart, 120, 1)]
    [InlineData("HEART: 7 0", AgentMessageKind.Heart, 7, 0)]
    [InlineData("SPECIAL: 1 1", AgentMessageKind.Special, 1, 1)]
    [InlineData("GETSPECIAL: 2", AgentMessageKind.GetSpecial, 2, 0)]
    [InlineData("BYE 0", AgentMessageKind.Bye, 0, 0)]
    [InlineData("BYE 3", AgentMessageKind.Bye, 3, 0)]
    [InlineData("EMAIL scan finished", AgentMessageKind.Email, 0, 0)]
    [InlineData("ITEM src/a.c", AgentMessageKind.Item, 0, 0)]
    [InlineData("@@@0", AgentMessageKind.Reserved, 0, 0)]
    [InlineData("HEART: lots 1", AgentMessageKind.Malformed, 0, 0)]
    [InlineData("HEART: 5 2", AgentMessageKind.Malformed, 0, 0)]
    [InlineData("BYE", AgentMessageKind.Malformed, 0, 0)]
    [InlineData("OKAY", AgentMessageKind.Log, 0, 0)]
    [InlineData("BYEBYE 0", AgentMessageKind.Log, 0, 0)]
    [InlineData("warning: something", AgentMessageKind.Log, 0, 0)]
    public void Parse_RecognisesEveryMessage(string line, AgentMessageKind kind, long number, int flag)
    {
        var msg = AgentMessage.Parse(line);
        msg.Kind.ShouldBe(kind);
        msg.Number.ShouldBe(number);
        msg.Flag.ShouldBe(flag);
    }

    [Fact]
    public void Parse_Version_KeepsTheText() => AgentMessage.Parse("VERSION: nomos 4.3 (abc)").Text.ShouldBe("nomos 4.3 (abc)");

    [Property(MaxTest = 1000)]
    public bool Parse_AnyLine_NeverThrows(string line) => AgentMessage.Parse(line ?? "") is not null;
}
