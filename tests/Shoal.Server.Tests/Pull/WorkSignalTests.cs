using Shoal.Server.Broker;
using Shouldly;

namespace Shoal.Server.Tests.Pull;

/// <summary>The work signal wakes a few long polls per group, longest waiting first, and hands wakes on.</summary>
public sealed class WorkSignalTests
{
    [Fact]
    public void Notify_WakesOnlyTheFirstFewOfEachGroup_InArrivalOrder()
    {
        var signal = new WorkSignal();
        var a = Enumerable.Range(0, 10).Select(_ => signal.Enlist("a|")).ToList();
        var b = Enumerable.Range(0, 2).Select(_ => signal.Enlist("b|")).ToList();
        signal.Waiting.ShouldBe(12);

        signal.Notify();

        a.Select(t => t.WasWoken).ShouldBe([.. Enumerable.Repeat(true, WorkSignal.FirstWake), .. Enumerable.Repeat(false, 10 - WorkSignal.FirstWake)]);
        b.ShouldAllBe(t => t.WasWoken);
        signal.Waiting.ShouldBe(10 - WorkSignal.FirstWake);
    }

    [Fact]
    public void Pass_WakesTheNextOnesOfThatGroupOnly()
    {
        var signal = new WorkSignal();
        var a = Enumerable.Range(0, 5).Select(_ => signal.Enlist("a|")).ToList();
        var b = signal.Enlist("b|");

        signal.Pass("a|", 2);
        signal.Pass("nobody|", 3);

        a.Count(t => t.WasWoken).ShouldBe(2);
        a[0].WasWoken.ShouldBeTrue();
        a[1].WasWoken.ShouldBeTrue();
        b.WasWoken.ShouldBeFalse();
    }

    [Fact]
    public void DisposedTickets_LeaveTheQueue_AndAreNotWoken()
    {
        var signal = new WorkSignal();
        var gone = Enumerable.Range(0, WorkSignal.FirstWake).Select(_ => signal.Enlist("a|")).ToList();
        var stays = signal.Enlist("a|");
        gone.ForEach(t => t.Dispose());
        signal.Waiting.ShouldBe(1);

        signal.Notify();

        stays.WasWoken.ShouldBeTrue("the requests that left do not use up the wake");
        gone.ShouldAllBe(t => !t.WasWoken);
        signal.Waiting.ShouldBe(0);
        stays.Dispose(); // after being woken: nothing to remove, no error
    }

    [Fact]
    public async Task Next_StillWakesEveryInProcessWaiter()
    {
        var signal = new WorkSignal();
        var first = signal.Next;
        var second = signal.Next;
        signal.Notify();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        signal.Next.IsCompleted.ShouldBeFalse("a new signal is armed");
    }
}
