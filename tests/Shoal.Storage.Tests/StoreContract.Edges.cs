using Shoal.Core.Model;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests;

/// <summary>The edge semantics of reports and heartbeats (docs/rest-api.md, "Reports at the edges").</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task LateOk_ForAPartThatFailedForGood_IsAccepted_AndMovesItFromFailedToDone()
    {
        var s = await Submit(Stream("s", 0, Job("net", type: "pull-scan", parts: 2)));
        var t = Start;
        LeasedPart first = null!;
        for (var i = 0; i < 3; i++)
        {
            var p = (await Store.LeaseAsync(Lease("a", t, max: 1, type: "pull-scan"), Ct)).Single();
            first ??= p;
            (await Store.CompleteAsync([Fail(p, "a")], t, Ct)).ShouldBe([ReportOutcome.Accepted]);
        }

        (await JobOf(s.Jobs["net"])).Parts.ShouldBe(new PartCounts(1, 0, 0, 1), "failed for good after 3 tries");
        (await Store.CompleteAsync([Ok(first, "a")], t, Ct)).ShouldBe([ReportOutcome.AcceptedLate], "an ok from any of its leases finishes a part that is not done");
        (await Store.CompleteAsync([Ok(first, "a")], t, Ct)).ShouldBe([ReportOutcome.Duplicate]);
        (await JobOf(s.Jobs["net"])).Parts.ShouldBe(new PartCounts(1, 0, 1, 0));
    }

    [Fact]
    public async Task SameLease_ReportedFailedThenOk_TheOkIsAcceptedLate_AndCountedOnce()
    {
        var s = await Submit(Stream("s", 0, Job("j")));
        var p = (await Store.LeaseAsync(Lease("a", Start), Ct)).Single();
        (await Store.CompleteAsync([Fail(p, "a")], Start, Ct)).ShouldBe([ReportOutcome.Accepted]);
        (await JobOf(s.Jobs["j"])).Parts.ShouldBe(new PartCounts(1, 0, 0, 0), "back to ready for its second try");
        (await Store.CompleteAsync([Ok(p, "a"), Ok(p, "a")], Start, Ct)).ShouldBe([ReportOutcome.AcceptedLate, ReportOutcome.Duplicate]);
        var job = await JobOf(s.Jobs["j"]);
        job.Parts.ShouldBe(new PartCounts(0, 0, 1, 0));
        job.State.ShouldBe(JobState.Completed);
    }

    [Fact]
    public async Task CancelledJob_OkIsKeptWithoutReviving_FailedIsNotRetried_HeartbeatIsRefused_ExpiryGivesThePartBack()
    {
        var s = await Submit(Stream("s", 0, Job("j", parts: 4)));
        var held = await Store.LeaseAsync(Lease("a", Start, max: 3), Ct);
        (await Store.CancelStreamAsync(s.Id, "cancelled by user", Start, Ct)).ShouldBe(ControlOutcome.Done);

        var hb = (await Store.HeartbeatAsync(held[0].PartId, held[0].LeaseId, "a", _ => Start.AddMinutes(10), Ct))!;
        hb.Extended.ShouldBeFalse("a cancelled job's lease is not extended");
        hb.Job.ShouldBe(JobState.Cancelled);

        (await Store.CompleteAsync([Ok(held[0], "a"), Fail(held[1], "a")], Start, Ct)).ShouldBe([ReportOutcome.Accepted, ReportOutcome.Accepted]);
        (await Store.ExpireAsync(Start.AddMinutes(1), Ct)).ShouldBe(1);

        var job = await JobOf(s.Jobs["j"]);
        job.State.ShouldBe(JobState.Cancelled, "nothing revives a cancelled job");
        job.Parts.ShouldBe(new PartCounts(2, 0, 1, 1), "the ok is kept, the failure is final, the expired lease gives its part back");
        var parts = await Store.GetPartsAsync(s.Jobs["j"], Ct);
        parts.Single(p => p.Id == held[1].PartId).Attempt.ShouldBe(1, "a cancelled job retries nothing");
        parts.Single(p => p.Id == held[2].PartId).Attempt.ShouldBe(1, "an expiry in a cancelled job counts no try");
        (await Store.LeaseAsync(Lease("b", Start.AddMinutes(1)), Ct)).ShouldBeEmpty();
        (await StreamStateOf(s.Id)).ShouldBe(StreamState.Cancelled);
    }

    [Fact]
    public async Task Demand_ForTheTypesOfItsCaller_IsNotHiddenBehindALongQueueOfOtherWork()
    {
        // 600 pull jobs of higher priority, then one spawned job: the dispatcher asks for its own types and sees it.
        await Submit(Stream("pull", 5, Enumerable.Range(0, 600).Select(i => Job($"p{i}", type: "pull-x")).ToArray()));
        var scan = await Submit(Stream("scan", 0, Job("s")));
        (await Store.GetDemandAsync(Start, null, null, Ct)).ShouldNotContain(d => d.Job == scan.Jobs["s"], "all types: the 500 best are the pull jobs");
        (await Store.GetDemandAsync(Start, null, ["scan"], Ct)).Select(d => d.Job).ShouldBe([scan.Jobs["s"]]);
    }

    [Fact]
    public async Task AHostList_IsGeneratedInOrder_ABatchAtATime_EachFromWhereTheLastStopped()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 1000).Select(i => $"h{i:0000}"), Ct);
        var s = await Submit(Stream("fleet", 0, new Shoal.Core.Streams.JobSpec("visit", "pull-scan", [], [], null, Generator: new Shoal.Core.Streams.GeneratorSpec(null, 3, file))));
        var batches = 0;
        while (await Store.GeneratePartsAsync(7, Start, Ct) is not null)
        {
            batches++;
        }

        batches.ShouldBe(48, "334 parts of 3 hosts, 7 a batch, and the last call finds the list exhausted");
        var parts = (await Store.GetPartsAsync(s.Jobs["visit"], Ct)).Select(p => p.Payload).ToList();
        parts.Count.ShouldBe(334);
        string.Join(',', parts).ShouldBe(string.Join(',', Enumerable.Range(0, 1000).Select(i => $"h{i:0000}")));
    }

    [Fact]
    public async Task AHostList_ThatALinkReplacedAfterItsCheck_IsNotRead_AndAGrownOneIsReadWithinTheLimits()
    {
        // The submit checked a regular file under the inputs folder; then, before the background read, a link takes its
        // place (to a secret outside, or /dev/zero, which had grown the server to 21 GB): nothing of it becomes a part.
        var dir = Directory.CreateTempSubdirectory("shoal-inputs-").FullName;
        var secret = Path.Combine(Directory.CreateTempSubdirectory("shoal-secret-").FullName, "secret.txt");
        await File.WriteAllLinesAsync(secret, ["SECRET1", "SECRET2"], Ct);
        foreach (var target in new[] { secret, "/dev/zero" })
        {
            var file = Path.Combine(dir, $"swapped-{Path.GetFileName(target)}.txt");
            await File.WriteAllLinesAsync(file, ["h1", "h2"], Ct);
            var canonical = InputFiles.Canonical(file);
            var s = await Submit(Stream("fleet", 0, new Shoal.Core.Streams.JobSpec("visit", "pull-scan", [], [], null, Generator: new Shoal.Core.Streams.GeneratorSpec(null, 1, canonical))));
            File.Delete(file);
            File.CreateSymbolicLink(file, target);
            while (await Store.GeneratePartsAsync(100, Start, Ct) is not null)
            {
            }

            (await Store.GetPartsAsync(s.Jobs["visit"], Ct)).ShouldBeEmpty($"a link to {target} in the checked file's place");
        }

        // Overwritten in place (no link): read, but a line past the longest a list may hold is skipped, not kept whole.
        var grown = Path.Combine(dir, "grown.txt");
        await File.WriteAllLinesAsync(grown, ["h1"], Ct);
        var g = await Submit(Stream("fleet", 0, new Shoal.Core.Streams.JobSpec("visit", "pull-scan", [], [], null, Generator: new Shoal.Core.Streams.GeneratorSpec(null, 1, InputFiles.Canonical(grown)))));
        await File.WriteAllLinesAsync(grown, ["h1", new string('x', InputFiles.MaxLine + 1), "h3"], Ct);
        while (await Store.GeneratePartsAsync(100, Start, Ct) is not null)
        {
        }

        (await Store.GetPartsAsync(g.Jobs["visit"], Ct)).Select(p => p.Payload).ShouldBe(["h1", "h3"]);
    }
}
