using Shoal.Core.Model;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests;

/// <summary>Retry back-off: a failed try waits (retrying) until its time; the leader's tick makes it ready again.</summary>
public abstract partial class StoreContract
{
    private Task<StreamCreated> SubmitWithRetry(RetryPolicy policy, int retries, params Shoal.Core.Streams.JobSpec[] jobs) =>
        Store.SubmitAsync(Stream("r", 0, jobs), _ => new JobRules(retries, OnPartFailure.FailJob, policy), Start, Ct);

    private async Task<LeasedPart> FailOnce(DateTimeOffset at)
    {
        var leased = (await Store.LeaseAsync(Lease("a", at, max: 1), Ct)).ShouldHaveSingleItem();
        (await Store.CompleteAsync([Fail(leased, "a")], at, Ct)).ShouldBe([ReportOutcome.Accepted]);
        return leased;
    }

    [Fact]
    public async Task Retry_WaitsItsDelay_DoublingEachTime_UpToTheMaximum_ThenFailsForGood()
    {
        var policy = new RetryPolicy(TimeSpan.FromSeconds(10), Backoff: 2, MaxDelay: TimeSpan.FromSeconds(30));
        var s = await SubmitWithRetry(policy, 3, Job("scan", parts: 1));
        var job = s.Jobs["scan"];
        var t = Start;
        foreach (var (attempt, wait) in new[] { (1, 10), (2, 20), (3, 30) })
        {
            (await FailOnce(t)).Attempt.ShouldBe(attempt);
            (await JobOf(job)).Parts.ShouldBe(new PartCounts(0, 0, 0, 0, 1), $"after try {attempt} the part waits");
            (await JobOf(job)).State.ShouldBe(JobState.Running);
            (await Store.LeaseAsync(Lease("b", t.AddSeconds(wait - 1)), Ct)).ShouldBeEmpty("nothing to lease while it waits");
            (await Store.ReadyRetriesAsync(t.AddSeconds(wait).AddMilliseconds(-1), Ct)).ShouldBe(0, $"try {attempt + 1} waits {wait} s");
            t = t.AddSeconds(wait);
            (await Store.ReadyRetriesAsync(t, Ct)).ShouldBe(1);
            (await JobOf(job)).Parts.ShouldBe(new PartCounts(1, 0, 0, 0, 0));
        }

        (await FailOnce(t)).Attempt.ShouldBe(4);
        var failed = await JobOf(job);
        failed.Parts.ShouldBe(new PartCounts(0, 0, 0, 1, 0));
        failed.State.ShouldBe(JobState.Failed, "past its 3 retries");
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Failed);
    }

    [Fact]
    public async Task Retry_AJobWithAPartWaiting_DoesNotComplete_AndALateOkFromTheFailedLeaseFinishesThePart()
    {
        var policy = new RetryPolicy(TimeSpan.FromMinutes(5));
        var s = await SubmitWithRetry(policy, 3, Job("scan", parts: 2));
        var leased = await Store.LeaseAsync(Lease("a", Start, max: 2), Ct);
        (await Store.CompleteAsync([Fail(leased[0], "a"), Ok(leased[1], "a")], Start, Ct)).ShouldAllBe(o => o == ReportOutcome.Accepted);
        var job = await JobOf(s.Jobs["scan"]);
        job.Parts.ShouldBe(new PartCounts(0, 0, 1, 0, 1));
        job.State.ShouldBe(JobState.Running, "a part still waits to retry");

        // The agent that failed it reports ok after all (a late report is still accepted): done once, waiting no more.
        (await Store.CompleteAsync([Ok(leased[0], "a")], Start.AddSeconds(1), Ct)).ShouldBe([ReportOutcome.AcceptedLate]);
        (await JobOf(s.Jobs["scan"])).Parts.ShouldBe(new PartCounts(0, 0, 2, 0, 0));
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Completed);
        (await Store.ReadyRetriesAsync(Start.AddHours(1), Ct)).ShouldBe(0, "the part is done: its retry time means nothing now");
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Completed);
    }

    [Fact]
    public async Task Retry_Jitter_SpreadsPartsFailedTogether_WithinItsRange()
    {
        var policy = new RetryPolicy(TimeSpan.FromSeconds(100), Jitter: 0.5);
        var s = await SubmitWithRetry(policy, 3, Job("scan", parts: 40));
        var leased = await Store.LeaseAsync(Lease("a", Start, max: 40), Ct);
        (await Store.CompleteAsync([.. leased.Select(p => Fail(p, "a"))], Start, Ct)).ShouldAllBe(o => o == ReportOutcome.Accepted);

        (await Store.ReadyRetriesAsync(Start.AddSeconds(50).AddMilliseconds(-1), Ct)).ShouldBe(0, "none before 100 s - 50 %");
        var early = await Store.ReadyRetriesAsync(Start.AddSeconds(100), Ct);
        early.ShouldBeInRange(1, 39, "spread around the delay, not all at one time (40 draws: all on one side has odds of 2 in 10^12)");
        (await Store.ReadyRetriesAsync(Start.AddSeconds(150), Ct)).ShouldBe(40 - early, "all by 100 s + 50 %");
        (await JobOf(s.Jobs["scan"])).Parts.ShouldBe(new PartCounts(40, 0, 0, 0, 0));
        (await Store.GetPartsAsync(s.Jobs["scan"], Ct)).ShouldAllBe(p => p.Attempt == 2);
    }

    [Fact]
    public async Task Retry_WithoutADelay_IsReadyAtOnce_AsBefore()
    {
        var s = await SubmitWithRetry(RetryPolicy.Immediate, 3, Job("scan"));
        await FailOnce(Start);
        (await JobOf(s.Jobs["scan"])).Parts.ShouldBe(new PartCounts(1, 0, 0, 0, 0));
        (await FailOnce(Start)).Attempt.ShouldBe(2);
    }

    [Fact]
    public async Task Retry_ALeaseThatRunsOut_WaitsItsDelayToo()
    {
        var s = await SubmitWithRetry(new RetryPolicy(TimeSpan.FromSeconds(60)), 3, Job("scan"));
        (await Store.LeaseAsync(Lease("a", Start), Ct)).ShouldHaveSingleItem();
        (await Store.ExpireAsync(Start.AddMinutes(1), Ct)).ShouldBe(1, "the 30 s lease ran out");
        (await JobOf(s.Jobs["scan"])).Parts.ShouldBe(new PartCounts(0, 0, 0, 0, 1));
        (await Store.ReadyRetriesAsync(Start.AddMinutes(2).AddMilliseconds(-1), Ct)).ShouldBe(0);
        (await Store.ReadyRetriesAsync(Start.AddMinutes(2), Ct)).ShouldBe(1);
        (await Store.LeaseAsync(Lease("b", Start.AddMinutes(2)), Ct)).ShouldHaveSingleItem().Attempt.ShouldBe(2);
    }
}
