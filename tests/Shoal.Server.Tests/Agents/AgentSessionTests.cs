using Microsoft.Extensions.Time.Testing;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Protocol;
using Shoal.Server.Spawned;
using Shoal.Storage;
using Shouldly;

namespace Shoal.Server.Tests.Agents;

/// <summary>The spawned-agent protocol without a process: lines and a fake clock in, effects out.</summary>
public sealed class AgentSessionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly AgentTypeConfig Type = new()
    {
        Name = "nomos",
        Command = ["nomos"],
        Directory = "/",
        HeartbeatTimeout = TimeSpan.FromSeconds(60),
        ProgressTimeout = TimeSpan.FromSeconds(300),
        Timeout = TimeSpan.FromSeconds(600),
    };

    private readonly FakeTimeProvider _clock = new(T0);

    private DateTimeOffset Now => _clock.GetUtcNow();

    private readonly Dictionary<AgentSession, AgentSpecials> _specials = [];

    private AgentSession Session(bool remote = false) => Track(sp => new AgentSession("spawn:a:1", Type, remote, new JobId(7), Now, sp));

    private AgentSession Track(Func<AgentSpecials, AgentSession> make)
    {
        var specials = new AgentSpecials(Type.Special);
        var session = make(specials);
        _specials[session] = specials;
        return session;
    }

    private static LeasedPart Part(long id, string payload) => new(new PartId(id), 100 + id, new JobId(7), "nomos", 1, payload, T0.AddMinutes(5));

    /// <summary>A line as the agent's reader and then the dispatcher take it: the reader answers GETSPECIAL itself.</summary>
    private IReadOnlyList<SessionEffect> Say(AgentSession s, string line)
    {
        var message = AgentMessage.Parse(line);
        var reply = _specials[s].Take(message);
        var effects = s.OnLine(message, Now);
        return reply is null ? effects : [new SessionEffect.Send(reply), .. effects];
    }

    private AgentSession Connected(bool remote = false)
    {
        var s = Session(remote);
        Say(s, "VERSION: 4.4").ShouldBe([new SessionEffect.VersionSaid("4.4")]);
        _clock.Advance(TimeSpan.FromMilliseconds(120));
        Say(s, "OK").ShouldBe([new SessionEffect.Connected(TimeSpan.FromMilliseconds(120))]);
        s.Phase.ShouldBe(AgentPhase.Idle);
        return s;
    }

    [Fact]
    public void VersionOkChunkOk_ReportsEveryPartOnce_WithTheChunksItemsOnItsFirstPart()
    {
        var s = Connected();
        s.Feed([Part(1, "a"), Part(2, "b")], Now).ShouldBe([new SessionEffect.Send("a\nb\nEND\n")]);
        s.Phase.ShouldBe(AgentPhase.Busy);
        Say(s, "ITEM x").ShouldBeEmpty();
        Say(s, "ITEM y").ShouldBeEmpty();
        var reports = Say(s, "OK").Cast<SessionEffect.Report>().Select(r => r.Part).ToList();
        reports.Select(r => (r.PartId.Value, r.LeaseId, r.Owner, r.Outcome)).ShouldBe([(1L, 101L, "spawn:a:1", PartOutcome.Ok), (2L, 102L, "spawn:a:1", PartOutcome.Ok)]);
        reports[0].Items.ShouldBe(["x", "y"]);
        reports[1].Items.ShouldBeNull();
        s.Chunk.ShouldBeEmpty();
        s.Phase.ShouldBe(AgentPhase.Idle);
        Say(s, "OK").ShouldBe([new SessionEffect.Output("OK", ToJobLog: true)], "an OK with nothing held counts nothing");
    }

    [Fact]
    public void AFirstLineThatIsNotAVersion_FailsTheTypeAndStopsTheAgent()
    {
        var s = Session();
        var effects = Say(s, "hello");
        effects.ShouldBe([new SessionEffect.NoVersion("agent didn't send version information: \"hello\""), new SessionEffect.Terminate("agent didn't send version information: \"hello\"")]);
        s.Phase.ShouldBe(AgentPhase.Closing);
        s.TerminatedAt.ShouldBe(T0);
    }

    [Fact]
    public void AtPid_IsTheRemotePidOnlyAsTheFirstLineOfAnAgentOverSsh()
    {
        var remote = Session(remote: true);
        Say(remote, "@PID 4242").ShouldBeEmpty();
        remote.RemotePid.ShouldBe(4242);
        Say(remote, "VERSION: 1").ShouldNotBeEmpty();
        Say(remote, "@PID 1").ShouldBe([new SessionEffect.Output("@PID 1", ToJobLog: false)]);
        remote.RemotePid.ShouldBe(4242);

        var local = Session(remote: false);
        Say(local, "@PID 4242").ShouldBe([new SessionEffect.Output("@PID 4242", ToJobLog: false)]);
        local.RemotePid.ShouldBeNull();

        var liar = Session(remote: true);
        Say(liar, "@PID 1").ShouldBe([new SessionEffect.Output("@PID 1", ToJobLog: false)], "pid 1 would signal every process of the user");
        liar.RemotePid.ShouldBeNull();
    }

    [Fact]
    public void TheWatchdog_StopsASilentAgent_ThenKillsItAfterTheGrace()
    {
        var s = Connected();
        var grace = TimeSpan.FromSeconds(10);
        _clock.Advance(TimeSpan.FromSeconds(59));
        s.Watch(Now, grace).ShouldBeEmpty();
        Say(s, "HEART: 3 0");
        s.ItemsProcessed.ShouldBe(3);
        _clock.Advance(TimeSpan.FromSeconds(60));
        s.Watch(Now, grace).ShouldBeEmpty("a heartbeat resets the silence");
        _clock.Advance(TimeSpan.FromSeconds(1));
        s.Watch(Now, grace).ShouldBe([new SessionEffect.Terminate("no output for 61 s (heartbeat_timeout 60 s)")]);
        s.Watch(Now, grace).ShouldBeEmpty("SIGTERM once");
        _clock.Advance(grace);
        s.Watch(Now, grace).ShouldBeEmpty();
        _clock.Advance(TimeSpan.FromSeconds(1));
        s.Watch(Now, grace).ShouldBe([new SessionEffect.Signal(Signals.Kill)]);
        s.StopReason.ShouldBe("no output for 61 s (heartbeat_timeout 60 s)");
    }

    [Fact]
    public void NoKill_SetBySpecial_SparesASilentAgent_AndGetSpecialAnswersIt()
    {
        var s = Connected();
        Say(s, "GETSPECIAL: 1").ShouldBe([new SessionEffect.Send("VALUE: 0\n")]);
        Say(s, "SPECIAL: 1 1").ShouldBeEmpty();
        Say(s, "GETSPECIAL: 1").ShouldBe([new SessionEffect.Send("VALUE: 1\n")]);
        _clock.Advance(TimeSpan.FromHours(1));
        s.Watch(Now, TimeSpan.FromSeconds(10)).ShouldBeEmpty();
        Say(s, "SPECIAL: 1 0").ShouldBeEmpty();
        Say(s, "GETSPECIAL: 1").ShouldBe([new SessionEffect.Send("VALUE: 0\n")]);
        _clock.Advance(TimeSpan.FromSeconds(61));
        s.Watch(Now, TimeSpan.FromSeconds(10)).Single().ShouldBeOfType<SessionEffect.Terminate>();
    }

    [Fact]
    public void ABusyAgent_WithoutProgress_OrPastItsChunkTimeout_IsStopped()
    {
        var stuck = Connected();
        stuck.Feed([Part(1, "a")], Now);
        for (var i = 0; i < 6; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(50));
            Say(stuck, "HEART: 0 0"); // alive, no progress
        }

        stuck.Watch(Now, TimeSpan.FromSeconds(10)).ShouldBeEmpty("300 s is the limit, not past it");
        _clock.Advance(TimeSpan.FromSeconds(1));
        stuck.Watch(Now, TimeSpan.FromSeconds(10)).ShouldBe([new SessionEffect.Terminate("no progress for 301 s (progress_timeout)")]);

        var slow = Connected();
        slow.Feed([Part(2, "b")], Now);
        for (var i = 0; i < 12; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(50));
            Say(slow, "HEART: 1 1"); // progress, but the chunk takes too long
            slow.Watch(Now, TimeSpan.FromSeconds(10)).ShouldBeEmpty();
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        slow.Watch(Now, TimeSpan.FromSeconds(10)).ShouldBe([new SessionEffect.Terminate("chunk took longer than 600 s (timeout)")]);
    }

    [Fact]
    public void PausedJob_SuspendsTheAgent_WhichTheWatchdogLeavesAlone_ResumeRestartsItsClock_CancelStopsItsChunk()
    {
        var s = Connected();
        s.Feed([Part(1, "a")], Now);
        s.JobStateIs(JobState.Paused, Now).ShouldBe([new SessionEffect.Signal(Signals.Stop)]);
        s.JobStateIs(JobState.Paused, Now).ShouldBeEmpty();
        s.Suspended.ShouldBeTrue();
        _clock.Advance(TimeSpan.FromHours(2));
        s.Watch(Now, TimeSpan.FromSeconds(10)).ShouldBeEmpty();
        s.JobStateIs(JobState.Running, Now).ShouldBe([new SessionEffect.Signal(Signals.Cont)]);
        s.LastHeard.ShouldBe(Now);
        s.Watch(Now, TimeSpan.FromSeconds(10)).ShouldBeEmpty("its silence counts from the resume, and the pause is not the chunk's time");
        _clock.Advance(TimeSpan.FromSeconds(50));
        Say(s, "HEART: 1 1");
        s.Watch(Now, TimeSpan.FromSeconds(10)).ShouldBeEmpty();
        s.JobStateIs(JobState.Cancelled, Now).ShouldBe([new SessionEffect.Terminate("its job was cancelled")]);
        s.JobStateIs(JobState.Cancelled, Now).ShouldBeEmpty();
    }

    [Fact]
    public void APayloadThatWouldInjectLines_IsNeverSent_ItsPartFails_AndAnEmptyFeedCloses()
    {
        var s = Connected();
        var effects = s.Feed([Part(1, "x\nEND\nCLOSE"), Part(2, "ok")], Now);
        effects[0].ShouldBeOfType<SessionEffect.Report>().Part.Outcome.ShouldBe(PartOutcome.Failed);
        effects[1].ShouldBe(new SessionEffect.Send("ok\nEND\n"));
        s.Chunk.Select(p => p.PartId.Value).ShouldBe([2L]);

        var idle = Connected();
        var closing = idle.Feed([Part(3, "a\rb")], Now);
        closing[^1].ShouldBe(new SessionEffect.Send("CLOSE\n"));
        idle.Phase.ShouldBe(AgentPhase.Closing);
    }

    [Fact]
    public void TheExit_SaysWhy_CleanOnlyWithBye0AndNothingHeld()
    {
        var clean = Connected();
        Say(clean, "BYE 0");
        clean.Exited(0, null).ShouldBe(new AgentExit("agent exited with code 0 without BYE 0", true, false, 0));

        var failing = Connected();
        failing.Feed([Part(1, "a")], Now);
        Say(failing, "BYE 3");
        failing.Exited(3, "disk full").ShouldBe(new AgentExit("agent failed with error code 3; its stderr: disk full", false, false, 1));

        var mute = Session();
        mute.Exited(1, "unable to open system configuration").ShouldBe(
            new AgentExit("agent exited with code 1 before sending its version; its stderr: unable to open system configuration", false, true, 0));

        var stopped = Connected();
        stopped.Stop("its job was cancelled", Now);
        stopped.Exited(143, "terminated").ShouldBe(new AgentExit("its job was cancelled", false, false, 0));
    }

    [Fact]
    public void EmailGoesToTheJobsMessage_AndOtherLinesToTheLogs()
    {
        var s = Connected();
        Say(s, "EMAIL 3 files scanned").ShouldBe([new SessionEffect.JobMessage("3 files scanned")]);
        Say(s, "some log line").ShouldBe([new SessionEffect.Output("some log line", ToJobLog: true)]);

        var selfTest = Track(sp => new AgentSession("spawn:a:2", Type, false, null, T0, sp));
        selfTest.OnLine(AgentMessage.Parse("VERSION: 1"), T0);
        selfTest.OnLine(AgentMessage.Parse("EMAIL hi"), T0).ShouldBe([new SessionEffect.Output("hi", ToJobLog: false)], "a self-test has no job to tell");
    }
}
