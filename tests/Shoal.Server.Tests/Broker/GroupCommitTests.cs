using Shoal.Server.Broker;
using Shouldly;

namespace Shoal.Server.Tests.Broker;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task ConcurrentCallers_EachGetTheirOwnResults_InFewerCommitsThanCallers()
    {
        var commits = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var group = new GroupCommit<int, int>(
            1000,
            async (items, _) =>
            {
                // The first commit waits until every caller has queued: they must all be served by the next one.
                if (Interlocked.Increment(ref commits) == 1)
                {
                    await release.Task;
                }

                return items.Select(i => i * 10).ToList();
            },
            ex => throw new InvalidOperationException("no failure expected", ex));

        var first = group.RunAsync([1], null, TestContext.Current.CancellationToken);
        var callers = Enumerable.Range(0, 50).Select(c => group.RunAsync([(c * 100) + 1, (c * 100) + 2], null, TestContext.Current.CancellationToken)).ToList();
        release.SetResult();

        (await first).ShouldBe([10]);
        for (var c = 0; c < callers.Count; c++)
        {
            (await callers[c]).ShouldBe([((c * 100) + 1) * 10, ((c * 100) + 2) * 10], $"caller {c}");
        }

        commits.ShouldBe(2, "the 50 callers that queued during the first commit went into the second together");
    }

    [Fact]
    public async Task AFailedCommit_FailsItsCallers_AndTheNextCommitRuns()
    {
        var failures = new List<Exception>();
        var fail = true;
        using var group = new GroupCommit<string, string>(
            10,
            (items, _) => fail ? throw new IOException("disk full") : Task.FromResult<IReadOnlyList<string>>(items.Select(i => i + "!").ToList()),
            failures.Add);

        (await Should.ThrowAsync<IOException>(() => group.RunAsync(["a", "b"], null, TestContext.Current.CancellationToken))).Message.ShouldBe("disk full");
        failures.Count.ShouldBe(1);
        fail = false;
        (await group.RunAsync(["c"], null, TestContext.Current.CancellationToken)).ShouldBe(["c!"]);
    }
}
