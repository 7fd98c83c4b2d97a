using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>Polls a condition until it holds, failing the test after a generous deadline.</summary>
internal static class Wait
{
    public static Task UntilAsync(Func<bool> condition, int seconds = 60) => UntilAsync(() => Task.FromResult(condition()), seconds);

    public static async Task UntilAsync(Func<Task<bool>> condition, int seconds = 60)
    {
        var until = Environment.TickCount64 + (seconds * 1000);
        while (!await condition())
        {
            Environment.TickCount64.ShouldBeLessThan(until, "timed out waiting");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
