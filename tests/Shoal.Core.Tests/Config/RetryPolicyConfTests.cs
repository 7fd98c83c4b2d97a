using Shoal.Core.Config;
using Shoal.Core.Model;
using Shouldly;

namespace Shoal.Core.Tests.Config;

/// <summary>An agent type's retry policy: read from its conf, refused with file:line when it makes no sense.</summary>
public sealed class RetryPolicyConfTests
{
    private static string Conf(string body)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("shoal-retry-").FullName, "scan.conf");
        File.WriteAllText(file, "[default]\ncommand = /bin/true\n" + body);
        return file;
    }

    [Fact]
    public void RetryKeys_AreRead_AndNoneMeansAtOnce()
    {
        var type = AgentConfLoader.Load(Conf("retry_delay = 5\nretry_backoff = 2\nretry_max_delay = 300\nretry_jitter = 0.2\n"));
        type.Retry.ShouldBe(new RetryPolicy(TimeSpan.FromSeconds(5), 2, TimeSpan.FromSeconds(300), 0.2));
        AgentConfLoader.Load(Conf("")).Retry.IsImmediate.ShouldBeTrue();
    }

    [Theory]
    [InlineData("retry_backoff = 2\n", 3, "'retry_backoff' needs 'retry_delay' (the wait before the first retry)")]
    [InlineData("retry_delay = 10\nretry_max_delay = 5\n", 4, "'retry_max_delay' (5 s) is shorter than 'retry_delay' (10 s)")]
    [InlineData("retry_delay = 10\nretry_jitter = 1.5\n", 4, "'retry_jitter' must be a number from 0 to 1, got '1.5'")]
    [InlineData("retry_delay = 10\nretry_backoff = 0.5\n", 4, "'retry_backoff' must be a number from 1 to 100, got '0.5'")]
    [InlineData("retry_delay = soon\n", 3, "'retry_delay' must be a positive number of seconds (at most 315576000), got 'soon'")]
    [InlineData("retry_delay = NaN\n", 3, "'retry_delay' must be a positive number of seconds (at most 315576000), got 'NaN'")]
    [InlineData("retry_delay = 1e20\n", 3, "'retry_delay' must be a positive number of seconds (at most 315576000), got '1e20'")]
    [InlineData("retry_delay = 10\nretry_max_delay = Infinity\n", 4, "'retry_max_delay' must be a positive number of seconds (at most 315576000), got 'Infinity'")]
    public void BadRetryKeys_NameTheirLine(string body, int line, string reason)
    {
        var file = Conf(body);
        var ex = Should.Throw<ConfigException>(() => AgentConfLoader.Load(file));
        ex.Message.ShouldBe($"{file}:{line}: {reason}");
    }

    [Fact]
    public void DelayBefore_DoublesFromTheSecondTry_CapsAtTheMaximum_AndJitterStaysInItsRange()
    {
        var policy = new RetryPolicy(TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(60), 0.25);
        policy.DelayBefore(2, 0.5).ShouldBe(TimeSpan.FromSeconds(10));
        policy.DelayBefore(3, 0.5).ShouldBe(TimeSpan.FromSeconds(20));
        policy.DelayBefore(4, 0.5).ShouldBe(TimeSpan.FromSeconds(40));
        policy.DelayBefore(5, 0.5).ShouldBe(TimeSpan.FromSeconds(60));
        policy.DelayBefore(5, 0.999999).ShouldBe(TimeSpan.FromSeconds(60), "the jitter never takes a wait past the maximum");
        policy.DelayBefore(500, 0.5).ShouldBe(TimeSpan.FromSeconds(60), "no overflow far out");
        policy.DelayBefore(2, 0).ShouldBe(TimeSpan.FromSeconds(7.5));
        policy.DelayBefore(2, 0.999999).TotalSeconds.ShouldBe(12.5, 0.001);
        RetryPolicy.Immediate.DelayBefore(3, 0.7).ShouldBe(TimeSpan.Zero);
    }
}
