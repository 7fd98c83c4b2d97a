using Shoal.Core.Model;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests;

/// <summary>
/// The store's rules, written once; every store implementation runs them by inheriting this class.
/// </summary>
public abstract partial class StoreContract : IAsyncLifetime
{
    private IShoalStore? _store;

    protected IShoalStore Store => _store!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected abstract Task<IShoalStore> CreateStoreAsync();

    protected Task<StreamCreated> Submit(Shoal.Core.Streams.StreamSpec spec) => Store.SubmitAsync(spec, Rules, Start, Ct);

    protected async Task<JobView> JobOf(JobId id) => (await Store.GetJobAsync(id, Ct))!;

    protected async Task<StreamState> StreamStateOf(StreamId id) => (await Store.GetStreamAsync(id, Ct))!.Stream.State;

    [Fact]
    public async Task Submit_JobWithoutDependencies_IsReady_OthersBlocked()
    {
        var s = await Submit(Stream("s", 0, Job("unpack"), Job("scan", deps: "unpack")));
        (await JobOf(s.Jobs["unpack"])).State.ShouldBe(JobState.Ready);
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Blocked);
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Queued);
    }

    [Fact]
    public async Task Lease_BlockedJob_IsNotLeased_UntilDependencyCompletes()
    {
        var s = await Submit(Stream("s", 0, Job("unpack"), Job("scan", parts: 3, deps: "unpack")));
        var first = await Store.LeaseAsync(Lease("a", Start), Ct);
        first.Count.ShouldBe(1);
        first[0].JobId.ShouldBe(s.Jobs["unpack"]);
        (await Store.LeaseAsync(Lease("b", Start), Ct)).ShouldBeEmpty();
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Running);

        (await Store.CompleteAsync([Ok(first[0], "a")], Start, Ct)).ShouldBe([ReportOutcome.Accepted]);
        (await JobOf(s.Jobs["unpack"])).State.ShouldBe(JobState.Completed);
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Ready);
        (await Store.LeaseAsync(Lease("b", Start), Ct)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task Complete_AllParts_CompletesStream()
    {
        var s = await Submit(Stream("s", 0, Job("a", parts: 4), Job("b", parts: 2, deps: "a")));
        for (var i = 0; i < 2; i++)
        {
            var leased = await Store.LeaseAsync(Lease("x", Start), Ct);
            await Store.CompleteAsync(leased.Select(p => Ok(p, "x")).ToList(), Start, Ct);
        }

        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Completed);
        (await JobOf(s.Jobs["b"])).Parts.ShouldBe(new PartCounts(0, 0, 2, 0));
    }

    [Fact]
    public async Task Lease_HighestPriorityFirst_ThenOldest()
    {
        var low = await Submit(Stream("low", 0, Job("j", parts: 2)));
        var high = await Submit(Stream("high", 5, Job("j", parts: 2)));
        var older = await Submit(Stream("older-low", 0, Job("j", parts: 1)));
        var got = await Store.LeaseAsync(Lease("a", Start, max: 3), Ct);
        got.Select(p => p.JobId).ShouldBe([high.Jobs["j"], high.Jobs["j"], low.Jobs["j"]]);
        var next = await Store.LeaseAsync(Lease("a", Start, max: 2), Ct);
        next.Select(p => p.JobId).ShouldBe([low.Jobs["j"], older.Jobs["j"]]);
    }

    [Fact]
    public async Task Lease_Aging_RaisesAWaitingJobAboveNewerHigherPriorityWork()
    {
        var old = await Submit(Stream("old", 0, Job("j", parts: 1)));
        var later = Start.AddMinutes(10);
        var fresh = await Store.SubmitAsync(Stream("fresh", 5, Job("j", parts: 1)), Rules, later, Ct);
        // With a one-minute step the old job has aged by 10 and beats priority 5.
        var got = await Store.LeaseAsync(Lease("a", later, max: 1, aging: TimeSpan.FromMinutes(1)), Ct);
        got.Single().JobId.ShouldBe(old.Jobs["j"]);
        var without = await Store.LeaseAsync(Lease("a", later, max: 1), Ct);
        without.Single().JobId.ShouldBe(fresh.Jobs["j"]);
    }

    [Fact]
    public async Task Lease_NeverExceedsTypeMax_CountingAgentsNotParts()
    {
        await Submit(Stream("s", 0, Job("j", parts: 20)));
        (await Store.LeaseAsync(Lease("a", Start, max: 5, typeMax: 2), Ct)).Count.ShouldBe(5, "a chunk of five takes one slot");
        (await Store.LeaseAsync(Lease("b", Start, max: 3, typeMax: 2), Ct)).Count.ShouldBe(3);
        (await Store.LeaseAsync(Lease("c", Start, max: 3, typeMax: 2), Ct)).ShouldBeEmpty("two agents already hold the type");
        (await Store.LeaseAsync(Lease("a", Start, max: 2, typeMax: 2), Ct)).Count.ShouldBe(2, "a holder keeps its slot");
    }

    [Fact]
    public async Task Lease_TypeMaxZero_HoldsTheType()
    {
        await Submit(Stream("s", 0, Job("j", parts: 2)));
        (await Store.LeaseAsync(Lease("a", Start, typeMax: 0), Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Lease_NeverExceedsHostMax()
    {
        await Submit(Stream("s", 0, Job("j", parts: 10)));
        (await Store.LeaseAsync(Lease("a", Start, max: 3, host: "h1", hostMax: 2), Ct)).Count.ShouldBe(3);
        (await Store.LeaseAsync(Lease("b", Start, max: 1, host: "h1", hostMax: 2), Ct)).Count.ShouldBe(1);
        (await Store.LeaseAsync(Lease("c", Start, max: 3, host: "h1", hostMax: 2), Ct)).ShouldBeEmpty();
        (await Store.LeaseAsync(Lease("d", Start, max: 3, host: "h2", hostMax: 2), Ct)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task LeaseMany_ServesEveryRequestInOrder_WithinTheLimits()
    {
        await Submit(Stream("s", 0, Job("j", parts: 5)));
        var got = await Store.LeaseManyAsync([Lease("a", Start, max: 2, typeMax: 2), Lease("b", Start, max: 2, typeMax: 2), Lease("c", Start, max: 2, typeMax: 2)], Ct);
        got.Select(g => g.Count).ShouldBe([2, 2, 0]);
        got.SelectMany(g => g).Select(p => p.PartId).Distinct().Count().ShouldBe(4);
    }

    [Fact]
    public async Task LeaseMany_RequestsOfOneKind_ShareCandidates_AndMoveOnWhenAJobRunsDry()
    {
        var high = await Submit(Stream("high", 5, Job("j", parts: 2)));
        var low = await Submit(Stream("low", 0, Job("j", parts: 3)));
        var other = await Submit(Stream("other", 9, Job("k", type: "other", parts: 1)));
        var got = await Store.LeaseManyAsync(
            [Lease("a", Start, max: 1), Lease("b", Start, max: 1), Lease("c", Start, max: 2), Lease("d", Start, max: 1, type: "other"), Lease("e", Start, max: 5), Lease("f", Start, max: 1)],
            Ct);

        got.Select(g => g.Count).ShouldBe([1, 1, 2, 1, 1, 0]);
        got.Take(2).SelectMany(g => g).ShouldAllBe(p => p.JobId == high.Jobs["j"], "the higher priority first");
        got[2].ShouldAllBe(p => p.JobId == low.Jobs["j"], "the first job ran dry: the next one serves");
        got[3].Single().JobId.ShouldBe(other.Jobs["k"]);
        got[4].Single().JobId.ShouldBe(low.Jobs["j"]);
        got.SelectMany(g => g).Select(p => p.PartId).Distinct().Count().ShouldBe(6);
        (await JobOf(low.Jobs["j"])).Parts.ShouldBe(new PartCounts(0, 3, 0, 0));
    }

    [Fact]
    public async Task Expire_ReturnsPartToReady_WithAttemptPlusOne()
    {
        var s = await Submit(Stream("s", 0, Job("j")));
        var p = (await Store.LeaseAsync(Lease("a", Start), Ct)).Single();
        p.Attempt.ShouldBe(1);
        (await Store.ExpireAsync(Start.AddSeconds(29), Ct)).ShouldBe(0);
        (await Store.ExpireAsync(Start.AddSeconds(31), Ct)).ShouldBe(1);
        (await JobOf(s.Jobs["j"])).Parts.ShouldBe(new PartCounts(1, 0, 0, 0));
        var again = (await Store.LeaseAsync(Lease("b", Start.AddSeconds(31)), Ct)).Single();
        again.Attempt.ShouldBe(2);
        again.LeaseId.ShouldBeGreaterThan(p.LeaseId);
    }

    [Fact]
    public async Task Expire_PastRetries_FailJob_CancelsDependents_AndFailsStream_InOneStep()
    {
        var s = await Submit(Stream("s", 0, Job("a"), Job("b", deps: "a"), Job("c", deps: "b")));
        var t = Start;
        for (var i = 0; i < 3; i++)
        {
            (await Store.LeaseAsync(Lease("a", t), Ct)).Count.ShouldBe(1);
            t = t.AddMinutes(1);
            (await Store.ExpireAsync(t, Ct)).ShouldBe(1);
        }

        var a = await JobOf(s.Jobs["a"]);
        a.State.ShouldBe(JobState.Failed);
        a.Parts.Failed.ShouldBe(1);
        (await JobOf(s.Jobs["b"])).State.ShouldBe(JobState.Cancelled);
        (await JobOf(s.Jobs["b"])).Reason.ShouldBe("dependency failed");
        (await JobOf(s.Jobs["c"])).State.ShouldBe(JobState.Cancelled);
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Failed);
    }

    [Fact]
    public async Task FailedPart_WithContinue_IsCounted_AndTheJobCarriesOn()
    {
        var s = await Submit(Stream("s", 0, Job("net", type: "pull-scan", parts: 3)));
        var t = Start;
        for (var i = 0; i < 3; i++)
        {
            var leased = await Store.LeaseAsync(Lease("a", t, type: "pull-scan"), Ct);
            var reports = leased.Select((p, n) => n == 0 ? Fail(p, "a") : Ok(p, "a")).ToList();
            await Store.CompleteAsync(reports, t, Ct);
        }

        var job = await JobOf(s.Jobs["net"]);
        job.State.ShouldBe(JobState.Completed);
        job.Parts.ShouldBe(new PartCounts(0, 0, 2, 1));
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Completed);
    }

    [Fact]
    public async Task LateReport_FromExpiredOwner_IsAccepted_AndTheReissuedLeaseIsVoid()
    {
        var s = await Submit(Stream("s", 0, Job("j")));
        var b = (await Store.LeaseAsync(Lease("B", Start), Ct)).Single();
        await Store.ExpireAsync(Start.AddMinutes(1), Ct);
        var a = (await Store.LeaseAsync(Lease("A", Start.AddMinutes(1)), Ct)).Single();
        a.PartId.ShouldBe(b.PartId);

        (await Store.CompleteAsync([Ok(b, "B")], Start.AddMinutes(2), Ct)).ShouldBe([ReportOutcome.AcceptedLate]);
        (await Store.CompleteAsync([Ok(a, "A")], Start.AddMinutes(2), Ct)).ShouldBe([ReportOutcome.Duplicate]);
        var job = await JobOf(s.Jobs["j"]);
        job.Parts.ShouldBe(new PartCounts(0, 0, 1, 0));
        job.State.ShouldBe(JobState.Completed);
    }

    [Fact]
    public async Task LateReport_WhilePartWaitsReady_IsAccepted()
    {
        var s = await Submit(Stream("s", 0, Job("j")));
        var b = (await Store.LeaseAsync(Lease("B", Start), Ct)).Single();
        await Store.ExpireAsync(Start.AddMinutes(1), Ct);
        (await Store.CompleteAsync([Ok(b, "B")], Start.AddMinutes(1), Ct)).ShouldBe([ReportOutcome.AcceptedLate]);
        (await JobOf(s.Jobs["j"])).Parts.ShouldBe(new PartCounts(0, 0, 1, 0));
    }

    [Fact]
    public async Task DuplicateCompletion_ChangesNothing()
    {
        var s = await Submit(Stream("s", 0, Job("j", parts: 2)));
        var p = (await Store.LeaseAsync(Lease("a", Start, max: 1), Ct)).Single();
        await Store.CompleteAsync([Ok(p, "a")], Start, Ct);
        (await Store.CompleteAsync([Ok(p, "a"), Ok(p, "a")], Start, Ct)).ShouldBe([ReportOutcome.Duplicate, ReportOutcome.Duplicate]);
        (await JobOf(s.Jobs["j"])).Parts.ShouldBe(new PartCounts(1, 0, 1, 0));
    }

    [Fact]
    public async Task Report_UnknownPart_OrNeverIssuedLease_OrOtherOwner_IsRefused()
    {
        await Submit(Stream("s", 0, Job("j")));
        var p = (await Store.LeaseAsync(Lease("a", Start), Ct)).Single();
        (await Store.CompleteAsync([new PartReport(new PartId(999_999), 1, "a", PartOutcome.Ok)], Start, Ct)).ShouldBe([ReportOutcome.UnknownPart]);
        (await Store.CompleteAsync([p with { LeaseId = p.LeaseId + 5 } is var q ? Ok(q, "a") : null!], Start, Ct)).ShouldBe([ReportOutcome.NotOwner]);
        (await Store.CompleteAsync([Ok(p, "intruder")], Start, Ct)).ShouldBe([ReportOutcome.NotOwner]);
    }

    [Fact]
    public async Task PausedStream_IsNotLeased_UntilResumed()
    {
        var s = await Submit(Stream("s", 0, Job("j", parts: 2)));
        (await Store.PauseStreamAsync(s.Id, Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await Store.LeaseAsync(Lease("a", Start), Ct)).ShouldBeEmpty();
        (await Store.PauseStreamAsync(s.Id, Start, Ct)).ShouldBe(ControlOutcome.InvalidState);
        (await Store.ResumeStreamAsync(s.Id, Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Queued);
        (await Store.LeaseAsync(Lease("a", Start), Ct)).Count.ShouldBe(2);
        (await Store.PauseStreamAsync(new StreamId(12345), Start, Ct)).ShouldBe(ControlOutcome.NotFound);
    }

    [Fact]
    public async Task PausedJob_IsNotLeased_AndResumesWhereItWas()
    {
        var s = await Submit(Stream("s", 0, Job("j", parts: 2)));
        (await Store.LeaseAsync(Lease("a", Start, max: 1), Ct)).Count.ShouldBe(1);
        (await Store.PauseJobAsync(s.Jobs["j"], Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await Store.LeaseAsync(Lease("a", Start), Ct)).ShouldBeEmpty();
        (await Store.ResumeJobAsync(s.Jobs["j"], Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await JobOf(s.Jobs["j"])).State.ShouldBe(JobState.Running);
    }

    [Fact]
    public async Task CancelledStream_CancelsJobs_AndALateReportDoesNotReviveIt()
    {
        var s = await Submit(Stream("s", 0, Job("a", parts: 2), Job("b", deps: "a")));
        var p = (await Store.LeaseAsync(Lease("x", Start, max: 1), Ct)).Single();
        (await Store.CancelStreamAsync(s.Id, "cancelled by user", Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await Store.LeaseAsync(Lease("x", Start), Ct)).ShouldBeEmpty();
        await Store.CompleteAsync([Ok(p, "x")], Start, Ct);
        (await JobOf(s.Jobs["a"])).State.ShouldBe(JobState.Cancelled);
        (await JobOf(s.Jobs["b"])).State.ShouldBe(JobState.Cancelled);
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Cancelled);
        (await Store.CancelStreamAsync(s.Id, "again", Start, Ct)).ShouldBe(ControlOutcome.InvalidState);
    }

    [Fact]
    public async Task JobTimeout_FailsTheJob_AndCancelsDependents()
    {
        var spec = Stream("s", 0, Job("a", parts: 2) with { Timeout = TimeSpan.FromSeconds(10) }, Job("b", deps: "a"));
        var s = await Submit(spec);
        await Store.LeaseAsync(Lease("x", Start, max: 1), Ct);
        (await Store.FailTimedOutJobsAsync(Start.AddSeconds(9), Ct)).ShouldBeEmpty();
        (await Store.FailTimedOutJobsAsync(Start.AddSeconds(11), Ct)).ShouldBe([s.Jobs["a"]]);
        (await JobOf(s.Jobs["a"])).Reason.ShouldBe("timed out after 10 s");
        (await JobOf(s.Jobs["b"])).State.ShouldBe(JobState.Cancelled);
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Failed);
    }

    [Fact]
    public async Task ReleaseOwner_ReturnsItsPartsWithAttemptPlusOne()
    {
        var s = await Submit(Stream("s", 0, Job("j", parts: 3)));
        await Store.LeaseAsync(Lease("spawn:n1:7", Start, max: 2), Ct);
        await Store.LeaseAsync(Lease("other", Start, max: 1), Ct);
        (await Store.ReleaseOwnersByPrefixAsync("spawn:n1:", Start, Ct)).ShouldBe(2);
        (await JobOf(s.Jobs["j"])).Parts.ShouldBe(new PartCounts(2, 1, 0, 0));
        var parts = await Store.GetPartsAsync(s.Jobs["j"], Ct);
        parts.Count(p => p.Attempt == 2).ShouldBe(2);
    }

    [Fact]
    public async Task ReleasePart_GivesBackAnUnstartedPart_WithoutCountingAnAttempt()
    {
        var s = await Submit(Stream("s", 0, Job("j", parts: 2)));
        var p = (await Store.LeaseAsync(Lease("a", Start, max: 1), Ct)).Single();
        (await Store.ReleasePartAsync(p.PartId, p.LeaseId, "other", Ct)).ShouldBeFalse("only its owner gives it back");
        (await Store.ReleasePartAsync(p.PartId, p.LeaseId, "a", Ct)).ShouldBeTrue();
        (await JobOf(s.Jobs["j"])).Parts.ShouldBe(new PartCounts(2, 0, 0, 0));
        (await Store.LeaseAsync(Lease("b", Start, max: 1), Ct)).Single().Attempt.ShouldBe(1);
    }

    [Fact]
    public async Task Purge_RemovesOldFinishedStreams_OldResults_AndResultsBeyondTheLimitPerHost()
    {
        var old = await Submit(Stream("old", 0, Job("j", parts: 3)));
        var live = await Submit(Stream("live", 0, Job("j", parts: 1)));
        var parts = await Store.LeaseAsync(Lease("a", Start, max: 3) with { Job = old.Jobs["j"] }, Ct);
        await Store.CompleteAsync(parts.Select(p => Ok(p, "a")).ToList(), Start, Ct);
        await Store.MarkNotifiedAsync(old.Id, Start, Ct);
        for (var i = 0; i < 5; i++)
        {
            await Store.AddCheckinAsync("web1", null, Start.AddDays(40).AddMinutes(i), Ct);
        }

        await Store.AddCheckinAsync("web2", null, Start, Ct);
        var removed = 0;
        int n;
        while ((n = await Store.PurgeAsync(Start.AddDays(30), perHost: 3, batch: 2, Ct)) > 0)
        {
            removed += n;
        }

        removed.ShouldBeGreaterThan(0);
        (await Store.GetStreamAsync(old.Id, Ct)).ShouldBeNull();
        (await Store.GetStreamAsync(live.Id, Ct)).ShouldNotBeNull("unfinished streams stay");
        (await Store.GetHostResultsAsync("web1", 100, Ct)).Count.ShouldBe(3, "the newest three per host");
        (await Store.GetHostResultsAsync("web2", 100, Ct)).ShouldBeEmpty("older than the window");
        var stats = await Store.StatsAsync(Ct);
        stats["streams"].ShouldBe(1);
        stats["parts"].ShouldBe(1);
        stats["database_bytes"].ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task WhyFacts_NamePendingDependencies_AndWorkAhead()
    {
        var first = await Submit(Stream("first", 0, Job("j", parts: 5)));
        var s = await Submit(Stream("s", 0, Job("a"), Job("b", deps: "a"), Job("c")));
        var b = (await Store.GetWhyFactsAsync(s.Jobs["b"], Start, null, Ct))!;
        b.PendingDependencies.ShouldBe([("a", JobState.Ready)]);
        var c = (await Store.GetWhyFactsAsync(s.Jobs["c"], Start, null, Ct))!;
        c.PartsAhead.ShouldBe(0, "nothing of higher priority");
        c.PartsEarlier.ShouldBe(6, "the same priority, queued earlier");
        var urgent = await Submit(Stream("urgent", 5, Job("u", parts: 2)));
        (await Store.GetWhyFactsAsync(s.Jobs["c"], Start, null, Ct))!.PartsAhead.ShouldBe(2);
        (await Store.GetWhyFactsAsync(urgent.Jobs["u"], Start, null, Ct))!.PartsEarlier.ShouldBe(0, "it goes first");
        (await Store.GetWhyFactsAsync(new JobId(424242), Start, null, Ct)).ShouldBeNull();
        _ = first;
    }

    [Fact]
    public async Task Lease_ForOneJob_TakesOnlyThatJobsParts()
    {
        var first = await Submit(Stream("a", 5, Job("j", parts: 3)));
        var second = await Submit(Stream("b", 0, Job("j", parts: 3)));
        var got = await Store.LeaseAsync(Lease("x", Start, max: 10) with { Job = second.Jobs["j"] }, Ct);
        got.Count.ShouldBe(3);
        got.ShouldAllBe(p => p.JobId == second.Jobs["j"]);
        _ = first;
    }

    [Fact]
    public async Task Lease_WithKeyRanges_TakesOnlyCoveredKeys_AndUnkeyedParts()
    {
        var parts = new[] { "00aa", "0f23", "7f00", "80ff", "ffee" }.Select(k => new Shoal.Core.Streams.PartSpec($"p-{k}", k)).Append(new Shoal.Core.Streams.PartSpec("unkeyed", null)).ToList();
        await Submit(Stream("s", 0, new Shoal.Core.Streams.JobSpec("j", "scan", [], parts, null)));
        var low = await Store.LeaseAsync(Lease("low", Start, max: 10) with { KeyRanges = [new KeyRange(0x00, 0x7f)] }, Ct);
        low.Select(p => p.Payload).ShouldBe(["p-00aa", "p-0f23", "p-7f00", "unkeyed"], ignoreOrder: true);
        var high = await Store.LeaseAsync(Lease("high", Start, max: 10) with { KeyRanges = [new KeyRange(0x80, 0x8f), new KeyRange(0xf0, 0xff)] }, Ct);
        high.Select(p => p.Payload).ShouldBe(["p-80ff", "p-ffee"], ignoreOrder: true);
    }

    [Fact]
    public async Task Items_OfADoneDependency_BecomePartsOfTheGeneratedJob_InTheSameTransaction()
    {
        var spec = Stream("s", 0, Job("unpack"), new Shoal.Core.Streams.JobSpec("scan", "scan", ["unpack"], [], null, "unpack"));
        var s = await Submit(spec);
        (await JobOf(s.Jobs["scan"])).Parts.Total.ShouldBe(0);
        var p = (await Store.LeaseAsync(Lease("a", Start), Ct)).Single();
        await Store.CompleteAsync([Ok(p, "a") with { Items = ["a.c", "b.c", "c.c"] }], Start, Ct);
        (await Store.CompleteAsync([Ok(p, "a") with { Items = ["d.c"] }], Start, Ct)).ShouldBe([ReportOutcome.Duplicate]);
        var scan = await JobOf(s.Jobs["scan"]);
        scan.State.ShouldBe(JobState.Ready);
        scan.Parts.ShouldBe(new PartCounts(3, 0, 0, 0), "a duplicate report adds no items");
        (await Store.GetPartsAsync(s.Jobs["scan"], Ct)).Select(x => x.Payload).ShouldBe(["a.c", "b.c", "c.c"]);
    }

    [Fact]
    public async Task GeneratedJob_WithNoItems_CompletesAtOnce_AndTheStreamCompletes()
    {
        var spec = Stream("s", 0, Job("unpack"), new Shoal.Core.Streams.JobSpec("scan", "scan", ["unpack"], [], null, "unpack"), Job("report", deps: "scan"));
        var s = await Submit(spec);
        var p = (await Store.LeaseAsync(Lease("a", Start), Ct)).Single();
        await Store.CompleteAsync([Ok(p, "a")], Start, Ct);
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Completed);
        (await JobOf(s.Jobs["report"])).State.ShouldBe(JobState.Ready);
    }

    [Fact]
    public async Task PausedJob_ReleasesItsSlots_AndItsLeasesDoNotExpire()
    {
        var s = await Submit(Stream("s", 0, Job("a", parts: 2), Job("b", parts: 2)));
        var a = await Store.LeaseAsync(Lease("x", Start, max: 1, typeMax: 1) with { Job = s.Jobs["a"] }, Ct);
        a.Count.ShouldBe(1);
        (await Store.LeaseAsync(Lease("y", Start, max: 1, typeMax: 1) with { Job = s.Jobs["b"] }, Ct)).ShouldBeEmpty();
        await Store.PauseJobAsync(s.Jobs["a"], Start, Ct);
        (await Store.LeaseAsync(Lease("y", Start, max: 1, typeMax: 1) with { Job = s.Jobs["b"] }, Ct)).Count.ShouldBe(1);
        (await Store.ExpireAsync(Start.AddHours(1), Ct)).ShouldBe(1, "only b's lease expires");
        (await JobOf(s.Jobs["a"])).Parts.Leased.ShouldBe(1);
    }

    [Fact]
    public async Task Demand_ListsRunnableJobsWithReadyParts_BestFirst()
    {
        var low = await Submit(Stream("low", 0, Job("j", parts: 2)));
        var high = await Submit(Stream("high", 9, Job("j", parts: 1), Job("later", deps: "j")));
        var demand = await Store.GetDemandAsync(Start, null, null, Ct);
        demand.Select(d => d.Job).ShouldBe([high.Jobs["j"], low.Jobs["j"]]);
        demand[1].Ready.ShouldBe(2);
        var states = await Store.GetJobStatesAsync([high.Jobs["later"], low.Jobs["j"]], Ct);
        states.Count.ShouldBe(2);
        states[high.Jobs["later"]].ShouldBe(JobState.Blocked);
        states[low.Jobs["j"]].ShouldBe(JobState.Ready);
    }

    [Fact]
    public async Task Tokens_AreFoundByHash_ListedAndRevoked()
    {
        var id = await Store.AddTokenAsync(new TokenRecord("abc", "admin", "first", Start, null, []), Ct);
        var agent = await Store.AddTokenAsync(new TokenRecord("def", "agent", "scanner", Start, null, ["net-a", "dmz"]), Ct);
        (await Store.AddTokenAsync(new TokenRecord("abc", "admin", "again", Start, null, []), Ct)).ShouldBe(id, "the same hash is one token");
        (await Store.FindTokenAsync("abc", Ct))!.Role.ShouldBe("admin");
        (await Store.FindTokenAsync("def", Ct))!.Tags.ShouldBe(["net-a", "dmz"]);
        (await Store.FindTokenAsync("nope", Ct)).ShouldBeNull();
        (await Store.ListTokensAsync(Ct)).Select(t => t.Name).ShouldBe(["first", "scanner"]);
        (await Store.RevokeTokenAsync(agent, Start, Ct)).ShouldBeTrue();
        (await Store.RevokeTokenAsync(agent, Start, Ct)).ShouldBeFalse("already revoked");
        (await Store.FindTokenAsync("def", Ct))!.RevokedAt.ShouldBe(Start);
    }

    [Fact]
    public async Task Lease_WithTags_TakesOnlyJobsWhoseRequiredTagsTheAgentHas()
    {
        var s = await Submit(Stream("s", 0,
            Job("open"),
            Job("neta") with { RequiresTags = ["net-a"] },
            Job("both") with { RequiresTags = ["net-a", "dmz"] }));
        var a = await Store.LeaseAsync(Lease("a", Start) with { Tags = ["net-a"] }, Ct);
        a.Select(p => p.JobId).ShouldBe([s.Jobs["open"], s.Jobs["neta"]], ignoreOrder: true);
        var b = await Store.LeaseAsync(Lease("b", Start) with { Tags = ["dmz", "net-a", "x"] }, Ct);
        b.Single().JobId.ShouldBe(s.Jobs["both"]);
    }

    [Fact]
    public async Task Force_PutsAJobOnTopOfEveryPriority()
    {
        var low = await Submit(Stream("low", -5, Job("j", parts: 2)));
        await Submit(Stream("high", 9, Job("j", parts: 2)));
        (await Store.ForceJobAsync(low.Jobs["j"], Ct)).ShouldBe(ControlOutcome.Done);
        (await Store.LeaseAsync(Lease("a", Start, max: 2), Ct)).ShouldAllBe(p => p.JobId == low.Jobs["j"]);
        (await Store.ForceJobAsync(new JobId(999), Ct)).ShouldBe(ControlOutcome.NotFound);
    }

    [Fact]
    public async Task GeneratedRange_IsStreamedInBatches_AndTheJobCompletesOnlyAfterTheLastBatch()
    {
        var spec = Stream("net", 0, new Shoal.Core.Streams.JobSpec("scan", "pull-scan", [], [], null, Generator: new Shoal.Core.Streams.GeneratorSpec("192.168.0.0/29", 1)));
        var s = await Submit(spec);
        (await JobOf(s.Jobs["scan"])).Parts.Total.ShouldBe(0);
        (await Store.GeneratePartsAsync(3, Start, Ct)).ShouldBe(s.Jobs["scan"]);
        var first = await Store.LeaseAsync(Lease("a", Start, type: "pull-scan"), Ct);
        first.Select(p => p.Payload).ShouldBe(["192.168.0.0", "192.168.0.1", "192.168.0.2"]);
        await Store.CompleteAsync(first.Select(p => Ok(p, "a")).ToList(), Start, Ct);
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Running, "more parts are still to be generated");
        await Store.GeneratePartsAsync(3, Start, Ct);
        await Store.GeneratePartsAsync(3, Start, Ct);
        (await Store.GeneratePartsAsync(3, Start, Ct)).ShouldBeNull();
        var rest = await Store.LeaseAsync(Lease("a", Start, type: "pull-scan"), Ct);
        rest.Select(p => p.Payload).ShouldBe(["192.168.0.3", "192.168.0.4", "192.168.0.5", "192.168.0.6", "192.168.0.7"]);
        await Store.CompleteAsync(rest.Select(p => Ok(p, "a")).ToList(), Start, Ct);
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Completed);
    }

    [Fact]
    public async Task GeneratedFromAHostList_ChunksItsHosts_SkippingBlanksAndComments()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, ["# fleet", "web1", "", "web2", "  db1  ", "db2", "cache1"], Ct);
        var s = await Submit(Stream("fleet", 0, new Shoal.Core.Streams.JobSpec("visit", "pull-scan", [], [], null, Generator: new Shoal.Core.Streams.GeneratorSpec(null, 2, file))));
        while (await Store.GeneratePartsAsync(2, Start, Ct) is not null)
        {
        }

        (await Store.GetPartsAsync(s.Jobs["visit"], Ct)).Select(p => p.Payload).ShouldBe(["web1,web2", "db1,db2", "cache1"]);
    }

    [Fact]
    public async Task Heartbeat_ExtendsOnlyTheCurrentOwnersLease_AndReportsTheJobState()
    {
        var s = await Submit(Stream("s", 0, Job("j")));
        var p = (await Store.LeaseAsync(Lease("a", Start), Ct)).Single();
        var hb = await Store.HeartbeatAsync(p.PartId, p.LeaseId, "a", _ => Start.AddMinutes(10), Ct);
        hb!.Extended.ShouldBeTrue();
        (await Store.ExpireAsync(Start.AddMinutes(5), Ct)).ShouldBe(0, "the lease was extended");
        (await Store.HeartbeatAsync(p.PartId, p.LeaseId, "intruder", _ => Start.AddMinutes(20), Ct))!.Extended.ShouldBeFalse();
        await Store.PauseJobAsync(s.Jobs["j"], Start, Ct);
        (await Store.HeartbeatAsync(p.PartId, p.LeaseId, "a", _ => Start.AddMinutes(10), Ct))!.Job.ShouldBe(JobState.Paused);
        (await Store.HeartbeatAsync(new PartId(4242), 1, "a", _ => Start, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Counts_AndFailedParts_ShowWhatTheDashboardShows()
    {
        var s = await Submit(Stream("s", 0, Job("a", parts: 3), Job("b", deps: "a")));
        var leased = await Store.LeaseAsync(Lease("x", Start, max: 2), Ct);
        await Store.CompleteAsync([Ok(leased[0], "x")], Start, Ct);
        var counts = await Store.CountsAsync(Ct);
        counts.Streams["running"].ShouldBe(1);
        counts.Jobs["running"].ShouldBe(1);
        counts.Jobs["blocked"].ShouldBe(1);
        (counts.Ready, counts.Leased, counts.Done, counts.Failed).ShouldBe((2L, 1L, 1L, 0L));

        // Past its retries (2), a part fails for good and is listed with its log.
        var part = leased[1];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await Store.CompleteAsync([Fail(part, "x") with { Log = $"boom {attempt}" }], Start, Ct);
            if (attempt < 2)
            {
                part = (await Store.LeaseAsync(Lease("x", Start, max: 1), Ct)).Single(p => p.PartId == leased[1].PartId);
            }
        }

        var failed = await Store.GetFailedPartsAsync(s.Jobs["a"], 10, Ct);
        failed.Single().Id.ShouldBe(leased[1].PartId);
        failed.Single().Log.ShouldBe("boom 2");
        failed.Single().Attempt.ShouldBe(3);
        (await Store.CountsAsync(Ct)).Failed.ShouldBe(1);
    }
}
