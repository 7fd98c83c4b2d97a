// A spawned agent written in C# with the Shoal.Agent SDK. It "scans" each part by counting its
// characters and writes one line per part to FILE.<pid> when given --record=FILE (one file per process,
// so that agents running side by side never interleave their writes).
using Shoal.Agent;

var record = args.FirstOrDefault(a => a.StartsWith("--record=", StringComparison.Ordinal))?["--record=".Length..];
if (!SchedulerConnection.StartedByScheduler(args))
{
    Console.Error.WriteLine("usage: shoal-example-agent --scheduler_start [--record=FILE]  (normally started by the Shoal scheduler)");
    return 2;
}

var ct = CancellationToken.None;
await using var scheduler = await SchedulerConnection.ConnectAsync("shoal-example-agent 1.0", Console.In, Console.Out, ct);
while (await scheduler.NextAsync(ct) is { } part)
{
    if (record is not null)
    {
        await File.AppendAllTextAsync($"{record}.{Environment.ProcessId}", $"{part} {part.Length} {Environment.ProcessId}\n", ct);
    }

    scheduler.Processed();
}

await scheduler.DisconnectAsync(0, ct);
return 0;
