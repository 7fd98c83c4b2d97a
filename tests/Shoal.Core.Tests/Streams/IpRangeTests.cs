using System.Numerics;
using FsCheck.Xunit;
using Shoal.Core.Streams;
using Shouldly;

namespace Shoal.Core.Tests.Streams;

public sealed class IpRangeTests
{
    [Theory]
    [InlineData("10.2.0.0/16", 65536, "10.2.0.0", "10.2.255.255")]
    [InlineData("192.168.0.1-192.168.0.254", 254, "192.168.0.1", "192.168.0.254")]
    [InlineData("192.168.0.0/29", 8, "192.168.0.0", "192.168.0.7")]
    [InlineData("2001:db8::/120", 256, "2001:db8::", "2001:db8::ff")]
    [InlineData("10.0.0.5-10.0.0.5", 1, "10.0.0.5", "10.0.0.5")]
    public void Parse_CidrAndRanges(string text, int count, string first, string last)
    {
        IpRange.TryParse(text, out var range, out var error).ShouldBeTrue(error);
        range!.Count.ShouldBe(new BigInteger(count));
        range.At(0).ToString().ShouldBe(first);
        range.At(count - 1).ToString().ShouldBe(last);
    }

    [Fact]
    public void Parts_OfAChunk_AreFirstLastRanges_AndTheLastOneIsShort()
    {
        IpRange.TryParse("10.0.0.0/28", out var range, out _).ShouldBeTrue();
        range!.PartCount(5).ShouldBe(4);
        range.Part(0, 5).ShouldBe("10.0.0.0-10.0.0.4");
        range.Part(3, 5).ShouldBe("10.0.0.15");
        range.Part(2, 1).ShouldBe("10.0.0.2");
    }

    [Property(MaxTest = 300)]
    public bool Parse_AnyText_NeverThrows(string text) =>
        IpRange.TryParse(text ?? "", out var r, out var e) ? r is not null && e is null : r is null && e is not null;
}
