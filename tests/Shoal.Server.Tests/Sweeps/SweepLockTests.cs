using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Core.Config;
using Shoal.Server.Hosting;
using Shoal.Server.Sweeps;
using Shouldly;

namespace Shoal.Server.Tests.Sweeps;

public sealed class SweepLockTests
{
    /// <summary>
    /// A sweep takes the lock before its stream is stored, then names the stream. In between, the sweep runner's
    /// look for locks left by ended sweeps must not see it: it released the new sweep's lock (seen as a
    /// SweepTests.Lock_… test waiting two minutes for a lock file that was gone).
    /// </summary>
    [Fact]
    public void ALockTakenForASweepNotStoredYet_NamesNoStream_UntilItIsAssigned()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-lock-").FullName;
        var config = ConfigLoader.Load(TestServer.WriteConfig(dir, new Dictionary<string, string> { ["scan"] = TestServer.NoopConf() }));
        var sweepLock = new SweepLock(new ConfigHolder(config), TimeProvider.System, NullLogger<SweepLock>.Instance);

        sweepLock.TryAcquire(-1, out var holder).ShouldBeTrue(holder);
        sweepLock.IsHeld().ShouldBeTrue();
        sweepLock.HeldStream().ShouldBeNull("the stream is being stored: no ended sweep holds this lock");

        sweepLock.Assign(42);
        sweepLock.HeldStream().ShouldBe(42);
        sweepLock.Release(42);
        sweepLock.HeldStream().ShouldBeNull();
        File.Exists(config.SweepLock).ShouldBeFalse();
    }
}
