using Shoal.Core.Model;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests;

/// <summary>Requeue: a failed job's failed parts get fresh tries; the job, its cancelled dependents and its stream re-open.</summary>
public abstract partial class StoreContract
{
    /// <summary>Leases the job's parts one at a time and fails each try until <paramref name="payload"/> has failed for good (3 tries).</summary>
    private async Task FailForGood(string type, string payload, DateTimeOffset at)
    {
        for (var i = 0; i < 3; i++)
        {
            var leased = await Store.LeaseAsync(Lease("a", at, max: 100, type: type), Ct);
            var mine = leased.Single(p => p.Payload == payload);
            (await Store.CompleteAsync([Fail(mine, "a"), .. leased.Where(p => p != mine).Select(p => Ok(p, "a"))], at, Ct))
                .ShouldAllBe(o => o == ReportOutcome.Accepted);
        }
    }

    [Fact]
    public async Task Requeue_FailedJob_RetriesOnlyItsFailedParts_ReopensTheDependentsItsFailureCancelled_AndTheStream()
    {
        var s = await Submit(Stream("s", 0, Job("unpack", parts: 3), Job("scan", "scan", 1, "unpack"), Job("report", "scan", 1, "scan")));
        await FailForGood("scan", "unpack-1", Start);
        (await JobOf(s.Jobs["unpack"])).State.ShouldBe(JobState.Failed);
        (await JobOf(s.Jobs["report"])).State.ShouldBe(JobState.Cancelled);
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Failed);

        (await Store.RequeueJobAsync(s.Jobs["unpack"], Start.AddMinutes(1), Ct)).ShouldBe(ControlOutcome.Done);

        var unpack = await JobOf(s.Jobs["unpack"]);
        unpack.State.ShouldBe(JobState.Ready);
        unpack.Parts.ShouldBe(new PartCounts(1, 0, 2, 0), "the two parts that were done stay done");
        unpack.Reason.ShouldBeNull();
        (await Store.GetPartsAsync(s.Jobs["unpack"], Ct)).Single(p => p.Payload == "unpack-1").Attempt.ShouldBe(1, "fresh tries");
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Blocked);
        (await JobOf(s.Jobs["report"])).State.ShouldBe(JobState.Blocked, "re-opened transitively");
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Queued);

        // Runs to the end as if it had never failed: each job once, in order.
        var t = Start.AddMinutes(2);
        foreach (var name in new[] { "unpack", "scan", "report" })
        {
            var leased = await Store.LeaseAsync(Lease("b", t), Ct);
            leased.ShouldHaveSingleItem().JobId.ShouldBe(s.Jobs[name]);
            (await Store.CompleteAsync([Ok(leased[0], "b")], t, Ct)).ShouldBe([ReportOutcome.Accepted]);
        }

        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Completed);
        (await JobOf(s.Jobs["unpack"])).Parts.ShouldBe(new PartCounts(0, 0, 3, 0));
    }

    [Fact]
    public async Task Requeue_AJobThatFailedNothing_IsRefused_AnUnknownOneIsNotFound_ACancelledStreamStaysCancelled()
    {
        var s = await Submit(Stream("s", 0, Job("a"), Job("b")));
        var leased = await Store.LeaseAsync(Lease("a", Start), Ct);
        (await Store.CompleteAsync([.. leased.Select(p => Ok(p, "a"))], Start, Ct)).ShouldAllBe(o => o == ReportOutcome.Accepted);
        (await Store.RequeueJobAsync(s.Jobs["a"], Start, Ct)).ShouldBe(ControlOutcome.InvalidState, "completed, nothing failed");
        (await Store.RequeueStreamAsync(s.Id, Start, Ct)).ShouldBe(ControlOutcome.InvalidState);
        (await Store.RequeueJobAsync(new JobId(987654), Start, Ct)).ShouldBe(ControlOutcome.NotFound);
        (await Store.RequeueStreamAsync(new StreamId(987654), Start, Ct)).ShouldBe(ControlOutcome.NotFound);

        var c = await Submit(Stream("c", 0, Job("x"), Job("y", "scan", 1, "x")));
        await FailForGood("scan", "x-0", Start);
        (await Store.CancelStreamAsync(c.Id, "cancelled by user", Start, Ct)).ShouldBe(ControlOutcome.InvalidState, "it has ended, failed");
        var cancelled = await Submit(Stream("d", 0, Job("z", parts: 2)));
        var z = await Store.LeaseAsync(Lease("a", Start, max: 1), Ct);
        (await Store.CancelStreamAsync(cancelled.Id, "cancelled by user", Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await Store.CompleteAsync([Fail(z[0], "a")], Start, Ct)).ShouldBe([ReportOutcome.Accepted]);
        (await JobOf(cancelled.Jobs["z"])).Parts.Failed.ShouldBe(1);
        (await Store.RequeueStreamAsync(cancelled.Id, Start, Ct)).ShouldBe(ControlOutcome.InvalidState, "an operator's cancel stands");
        (await StreamStateOf(cancelled.Id)).ShouldBe(StreamState.Cancelled);
    }

    [Fact]
    public async Task RequeueStream_RetriesEveryFailedJob_AndAJobCompletedWithFailedParts()
    {
        // pull-* types go on past a failed part (on_part_failure = continue): the job completes with it failed.
        var s = await Submit(Stream("s", 0, Job("net", "pull-net", 2), Job("disk", "scan", 1)));
        await FailForGood("pull-net", "net-0", Start);
        await FailForGood("scan", "disk-0", Start);
        (await JobOf(s.Jobs["net"])).State.ShouldBe(JobState.Completed);
        (await JobOf(s.Jobs["net"])).Parts.ShouldBe(new PartCounts(0, 0, 1, 1));
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Failed);

        (await Store.RequeueStreamAsync(s.Id, Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await JobOf(s.Jobs["net"])).State.ShouldBe(JobState.Ready);
        (await JobOf(s.Jobs["net"])).Parts.ShouldBe(new PartCounts(1, 0, 1, 0));
        (await JobOf(s.Jobs["disk"])).Parts.ShouldBe(new PartCounts(1, 0, 0, 0));

        foreach (var type in new[] { "pull-net", "scan" })
        {
            var p = (await Store.LeaseAsync(Lease("b", Start, type: type), Ct)).ShouldHaveSingleItem();
            (await Store.CompleteAsync([Ok(p, "b")], Start, Ct)).ShouldBe([ReportOutcome.Accepted]);
        }

        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Completed);
    }

    [Fact]
    public async Task Requeue_AJobKilledWithNothingFailed_RunsItsUnfinishedPartsAgain()
    {
        var s = await Submit(Stream("s", 0, Job("j", parts: 2)));
        var held = await Store.LeaseAsync(Lease("a", Start, max: 1), Ct);
        (await Store.EndJobAsync(s.Jobs["j"], JobState.Failed, "killed by an operator", Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await Store.ExpireAsync(Start.AddMinutes(1), Ct)).ShouldBe(1);
        (await Store.RequeueJobAsync(s.Jobs["j"], Start.AddMinutes(1), Ct)).ShouldBe(ControlOutcome.Done);
        var job = await JobOf(s.Jobs["j"]);
        job.State.ShouldBe(JobState.Ready);
        job.Parts.ShouldBe(new PartCounts(2, 0, 0, 0));
        (await Store.LeaseAsync(Lease("b", Start.AddMinutes(1)), Ct)).Count.ShouldBe(2);
        held.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task AJobFailedByAPart_SaysWhichPayload_AndWhatItsLastTrySaid()
    {
        var s = await Submit(Stream("s", 0, Job("net", parts: 1)));
        for (var i = 0; i < 3; i++)
        {
            var p = (await Store.LeaseAsync(Lease("a", Start), Ct)).Single();
            (await Store.CompleteAsync([Fail(p, "a") with { Log = $"connecting to net-0\ntry {i + 1}: Connection refused\n" }], Start, Ct))
                .ShouldBe([ReportOutcome.Accepted]);
        }

        var job = await JobOf(s.Jobs["net"]);
        job.State.ShouldBe(JobState.Failed);
        job.Reason!.ShouldMatch(@"^part \d+ 'net-0' failed after 3 attempts: try 3: Connection refused$");
    }

    [Fact]
    public async Task Requeue_ARunningJobsFailedPart_KeepsTheJobRunning_AndTheStreamAsItIs()
    {
        var s = await Submit(Stream("s", 0, Job("net", "pull-net", 3)));
        var first = (await Store.LeaseAsync(Lease("a", Start, max: 1, type: "pull-net"), Ct)).Single();
        for (var i = 0; i < 3; i++)
        {
            var p = i == 0 ? first : (await Store.LeaseAsync(Lease("a", Start, max: 1, type: "pull-net"), Ct)).Single(x => x.PartId == first.PartId);
            await Store.CompleteAsync([Fail(p, "a")], Start, Ct);
        }

        var held = (await Store.LeaseAsync(Lease("b", Start, max: 1, type: "pull-net"), Ct)).Single();
        (await JobOf(s.Jobs["net"])).State.ShouldBe(JobState.Running);
        (await JobOf(s.Jobs["net"])).Parts.ShouldBe(new PartCounts(1, 1, 0, 1));
        (await Store.RequeueJobAsync(s.Jobs["net"], Start, Ct)).ShouldBe(ControlOutcome.Done);
        var job = await JobOf(s.Jobs["net"]);
        job.State.ShouldBe(JobState.Running, "a live job keeps its state");
        job.Parts.ShouldBe(new PartCounts(2, 1, 0, 0));
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Running);
        (await Store.CompleteAsync([Ok(held, "b")], Start, Ct)).ShouldBe([ReportOutcome.Accepted]);
    }

    [Fact]
    public async Task Requeue_AJobWhoseOutputsGenerateAnother_ReopensTheGeneratedJob_SoTheRetriedPartsItemsAreRun()
    {
        var spec = Stream("s", 0, Job("unpack", "pull-un", 2), new Shoal.Core.Streams.JobSpec("scan", "scan", ["unpack"], [], null, "unpack"));
        var s = await Submit(spec);
        await FailForGood("pull-un", "unpack-1", Start);
        // unpack-0 reported ok without items in FailForGood; its job completed with unpack-1 failed, and scan with nothing.
        (await JobOf(s.Jobs["unpack"])).State.ShouldBe(JobState.Completed);
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Completed);

        (await Store.RequeueJobAsync(s.Jobs["unpack"], Start, Ct)).ShouldBe(ControlOutcome.Done);
        (await JobOf(s.Jobs["scan"])).State.ShouldBe(JobState.Blocked, "it waits for the parts run again");
        var p = (await Store.LeaseAsync(Lease("b", Start, type: "pull-un"), Ct)).Single();
        (await Store.CompleteAsync([Ok(p, "b") with { Items = ["x.c"] }], Start, Ct)).ShouldBe([ReportOutcome.Accepted]);
        var scan = await JobOf(s.Jobs["scan"]);
        scan.State.ShouldBe(JobState.Ready);
        scan.Parts.ShouldBe(new PartCounts(1, 0, 0, 0), "the item of the retried part");
        var q = (await Store.LeaseAsync(Lease("c", Start), Ct)).Single();
        q.Payload.ShouldBe("x.c");
        (await Store.CompleteAsync([Ok(q, "c")], Start, Ct)).ShouldBe([ReportOutcome.Accepted]);
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Completed);
    }
}
