using Shoal.Core.Model;
using Shoal.Server.Broker;
using Shoal.Server.Pull;
using Shoal.Storage;
using Shouldly;

namespace Shoal.Server.Tests.Pull;

/// <summary>The long poll's wake rules, with a lease function of the test's own: no wake is lost, none is multiplied.</summary>
public sealed class LongPollTests
{
    private const string Group = "netscan|";

    private static readonly IReadOnlyList<LeasedPart> Nothing = [];

    private static readonly IReadOnlyList<LeasedPart> OnePart =
        [new LeasedPart(new PartId(1), 1, new JobId(1), "netscan", 1, "p", DateTimeOffset.UtcNow.AddMinutes(5))];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWokenRequestThatFindsWork_WakesTwoMore()
    {
        var signal = new WorkSignal();
        var looks = 0;
        var poll = Run(signal, () => Task.FromResult(++looks == 1 ? Nothing : OnePart), seconds: 30);
        await WaitForAsync(() => signal.Waiting == 1);
        var others = Enumerable.Range(0, 3).Select(_ => signal.Enlist(Group)).ToList();

        signal.Pass(Group, 1); // the first in the queue: the poll

        (await poll.WaitAsync(TimeSpan.FromSeconds(5), Ct)).Count.ShouldBe(1);
        looks.ShouldBe(2);
        others.Select(o => o.WasWoken).ShouldBe([true, true, false]);
    }

    [Fact]
    public async Task ARequestWokenWhileLeavingEmptyHanded_HandsTheWakeOn()
    {
        var signal = new WorkSignal();
        WorkSignal.Ticket? other = null;
        var parts = await Run(
            signal,
            () =>
            {
                other = signal.Enlist(Group); // a waiter behind this request
                signal.Pass(Group, 1); // work appears while this request looks: its own ticket is woken
                return Task.FromResult(Nothing);
            },
            seconds: 0);

        parts.ShouldBeEmpty();
        other!.WasWoken.ShouldBeTrue("the request leaves without looking again, so the waiter behind it looks");
    }

    [Fact]
    public async Task ARequestWhoseCallerGoesAway_HandsAnUnusedWakeOn()
    {
        var signal = new WorkSignal();
        WorkSignal.Ticket? other = null;
        var call = Run(
            signal,
            () =>
            {
                other = signal.Enlist(Group);
                signal.Pass(Group, 1);
                throw new OperationCanceledException();
            },
            seconds: 30);

        await Should.ThrowAsync<OperationCanceledException>(call);
        other!.WasWoken.ShouldBeTrue();
        signal.Waiting.ShouldBe(0);
    }

    [Fact]
    public async Task AnUnwokenRequestThatFindsNothing_WakesNobody()
    {
        var signal = new WorkSignal();
        var other = signal.Enlist(Group);
        (await Run(signal, () => Task.FromResult(Nothing), seconds: 0)).ShouldBeEmpty();
        (await Run(signal, () => Task.FromResult(OnePart), seconds: 0)).Count.ShouldBe(1);
        other.WasWoken.ShouldBeFalse("finding work without being woken is an agent's ordinary look, not a signal");
    }

    [Fact]
    public async Task Stopping_AnswersAWaitingRequestAtOnce()
    {
        var signal = new WorkSignal();
        using var stopping = new CancellationTokenSource();
        var poll = Run(signal, () => Task.FromResult(Nothing), seconds: 60, stopping);
        await WaitForAsync(() => signal.Waiting == 1);

        await stopping.CancelAsync();

        (await poll.WaitAsync(TimeSpan.FromSeconds(5), Ct)).ShouldBeEmpty();
        signal.Waiting.ShouldBe(0);
    }

    private static Task<IReadOnlyList<LeasedPart>> Run(WorkSignal signal, Func<Task<IReadOnlyList<LeasedPart>>> lease, int seconds, CancellationTokenSource? stopping = null) =>
        LongPoll.RunAsync(signal, Group, lease, DateTimeOffset.UtcNow.AddSeconds(seconds), TimeProvider.System, stopping?.Token ?? CancellationToken.None, Ct);

    private static Task WaitForAsync(Func<bool> condition) => Poll.UntilAsync(condition, 5);
}
