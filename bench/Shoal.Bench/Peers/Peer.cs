namespace Shoal.Bench;

/// <summary>One scheduler set up to run no-op jobs, for the side-by-side comparison.</summary>
internal interface IPeer : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Whether an accepted job survives a crash of the process (and of the machine, for fsync'd stores).</summary>
    string Durability { get; }

    /// <summary>Enqueues <paramref name="jobs"/> no-op jobs and runs them with <paramref name="workers"/> workers: enqueue jobs/s and end-to-end jobs/s.</summary>
    Task<(double Enqueue, double EndToEnd)> ThroughputAsync(int jobs, int workers);

    /// <summary>Enqueues single jobs at <paramref name="rate"/> a second for <paramref name="seconds"/> s: each job's milliseconds from enqueue to start.</summary>
    Task<List<double>> TrickleAsync(int rate, int seconds, int workers);
}

/// <summary>Paces a trickle of enqueues and gathers latencies.</summary>
internal static class Trickle
{
    public static async Task RunAsync(int rate, int seconds, Func<long, Task> enqueue)
    {
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pending = new List<Task>();
        for (var i = 0; i < rate * seconds; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            pending.Add(Safe(enqueue(System.Diagnostics.Stopwatch.GetTimestamp())));
        }

        await Task.WhenAll(pending);
    }

    /// <summary>A peer that cannot keep up may fail an enqueue (a pool or command time-out): that job is simply missing from the latencies.</summary>
    private static async Task Safe(Task enqueue)
    {
        try
        {
            await enqueue;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"    enqueue failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
        }
    }

    public static double Ms(long stamp) => System.Diagnostics.Stopwatch.GetElapsedTime(stamp).TotalMilliseconds;
}
