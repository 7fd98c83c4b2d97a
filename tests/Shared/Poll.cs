using Shouldly;

namespace Shoal.Tests;

/// <summary>
/// The one way tests wait: poll a condition every 100 ms until it holds, with a generous deadline. A test waits for
/// something to happen, never sleeps and then asserts that something did not.
/// </summary>
internal static class Poll
{
    /// <summary>Reads until <paramref name="until"/> holds, and returns what it read (the last value when the deadline passed).</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> until, int seconds = 60)
    {
        var deadline = Environment.TickCount64 + (seconds * 1000);
        while (true)
        {
            var value = await read();
            if (until(value) || Environment.TickCount64 > deadline)
            {
                return value;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test when it has not within <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, int seconds = 60)
    {
        var held = await UntilAsync(condition, c => c, seconds);
        held.ShouldBeTrue($"the condition did not hold within {seconds} s");
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test when it has not within <paramref name="seconds"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, int seconds = 60) => UntilAsync(() => Task.FromResult(condition()), seconds);
}
