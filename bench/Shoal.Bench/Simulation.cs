using System.Diagnostics;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Storage;
using Shoal.Storage.Sqlite;

namespace Shoal.Bench;

/// <summary>
/// A discrete-event simulation of a big fleet against Shoal's real store (SQLite WAL, synchronous=NORMAL: scale, not power loss, is the question here) on simulated
/// time: <c>agents</c> pull agents lease one part at a time and work for a log-normal time; 1% of them vanish in the
/// middle of a part; 2% are cut off by a network partition for 10 minutes. Every lease, report and expiry is a real
/// store transaction at the simulated instant; events due in the same 100 ms slice are committed together, as the
/// server's lease and report batchers do. Reports the completion time against the ideal, the parts re-issued,
/// and the store's size.
/// </summary>
internal static class Simulation
{
    private const long Slice = 100;

    public static async Task<int> RunAsync(int agents, int parts, double medianSeconds, int leaseSeconds, int seed)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-sim-").FullName;
        var db = Path.Combine(dir, "sim.db");
        await using var store = new SqliteStore(db, SqliteSync.Normal);
        await store.MigrateAsync(CancellationToken.None);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(start);
        var random = new Random(seed);
        var wall = Stopwatch.StartNew();

        // The work: one stream, jobs of 100,000 parts each (a submit is one transaction per job).
        const int PerJob = 100_000;
        for (var j = 0; j * PerJob < parts; j++)
        {
            var n = Math.Min(PerJob, parts - (j * PerJob));
            var spec = new StreamSpec($"sim-{j}", "sim", 0, [new JobSpec("work", "work", [], Enumerable.Range(0, n).Select(i => new PartSpec($"{j}-{i}", null)).ToList(), null)]);
            await store.SubmitAsync(spec, _ => new JobRules(10, OnPartFailure.Continue), start, CancellationToken.None);
        }

        var sizeAfterSubmit = Size(dir);
        var submitSeconds = wall.Elapsed.TotalSeconds;

        // Agents: log-normal work times (sigma 0.8: p99 about 6.4× the median), 1% vanish mid-part, 2% partitioned.
        var vanishes = new bool[agents];
        var partitioned = new bool[agents];
        foreach (var a in Enumerable.Range(0, agents).OrderBy(_ => random.Next()).Take(agents / 100))
        {
            vanishes[a] = true;
        }

        foreach (var a in Enumerable.Range(0, agents).Where(a => !vanishes[a]).OrderBy(_ => random.Next()).Take(agents / 50))
        {
            partitioned[a] = true;
        }

        var gone = new bool[agents];
        var totalWorkMs = 0.0;
        double Work() => medianSeconds * 1000 * Math.Exp(0.8 * Gaussian(random));
        var partitionFrom = (long)(medianSeconds * 1000 * parts / agents / 3); // a third of the ideal run in
        var partitionTo = partitionFrom + (10 * 60 * 1000);
        bool CutOff(int a, long t) => partitioned[a] && t >= partitionFrom && t < partitionTo;

        var queue = new PriorityQueue<(int Agent, bool Report, LeasedPart? Part), long>();
        for (var a = 0; a < agents; a++)
        {
            queue.Enqueue((a, false, null), random.Next(0, 10_000));
        }

        var types = new List<TypeLimit> { new("work", -1, TimeSpan.FromSeconds(leaseSeconds)) };
        long done = 0, leases = 0, lateReports = 0, duplicateReports = 0, vanished = 0, slices = 0;
        long now = 0, nextExpiry = 1000;
        while (done < parts && queue.Count > 0)
        {
            queue.TryPeek(out _, out var first);
            now = Math.Max(now, first - (first % Slice));
            var leaseWanted = new List<int>();
            var reports = new List<(int Agent, LeasedPart Part)>();
            while (queue.TryPeek(out var e, out var t) && t < now + Slice)
            {
                queue.Dequeue();
                if (CutOff(e.Agent, t))
                {
                    // Unreachable: try again when the partition heals (with a little jitter).
                    queue.Enqueue(e, partitionTo + random.Next(0, 5000));
                    continue;
                }

                if (e.Report)
                {
                    reports.Add((e.Agent, e.Part!));
                }
                else
                {
                    leaseWanted.Add(e.Agent);
                }
            }

            clock.SetUtcNow(start.AddMilliseconds(now + Slice));
            var at = clock.GetUtcNow();
            if (reports.Count > 0)
            {
                var outcomes = await store.CompleteAsync(reports.Select(r => new PartReport(r.Part.PartId, r.Part.LeaseId, Owner(r.Agent), PartOutcome.Ok)).ToList(), at, CancellationToken.None);
                for (var i = 0; i < reports.Count; i++)
                {
                    switch (outcomes[i])
                    {
                        case ReportOutcome.Accepted: done++; break;
                        case ReportOutcome.AcceptedLate: done++; lateReports++; break;
                        case ReportOutcome.Duplicate: duplicateReports++; break;
                    }

                    queue.Enqueue((reports[i].Agent, false, null), now + Slice + random.Next(20, 80)); // the next lease request
                }
            }

            if (leaseWanted.Count > 0)
            {
                var requests = leaseWanted.Select(a => new LeaseRequest(Owner(a), Owner(a), -1, types, 1, at, null)).ToList();
                var got = await store.LeaseManyAsync(requests, CancellationToken.None);
                for (var i = 0; i < leaseWanted.Count; i++)
                {
                    var a = leaseWanted[i];
                    if (got[i].Count == 0)
                    {
                        queue.Enqueue((a, false, null), now + Slice + 5000 + random.Next(0, 1000)); // a long poll that ran out
                        continue;
                    }

                    leases++;
                    var work = Work();
                    totalWorkMs += work;
                    if (vanishes[a] && !gone[a] && random.Next(10) == 0)
                    {
                        gone[a] = true; // vanishes in the middle of this part: never reports, never comes back
                        vanished++;
                        continue;
                    }

                    queue.Enqueue((a, true, got[i][0]), now + Slice + (long)work);
                }
            }

            if (now >= nextExpiry)
            {
                var expired = await store.ExpireAsync(at, CancellationToken.None);
                nextExpiry = now + 1000;
                if (expired > 0)
                {
                    // Re-issued parts wait for an idle agent's next long poll; nothing else to do here.
                }
            }

            slices++;
            now += Slice;
        }

        var stats = await store.StatsAsync(CancellationToken.None);
        var reissued = leases - parts;
        var ideal = totalWorkMs / (agents - vanished) / 1000;
        Console.WriteLine($"simulation: {agents:N0} agents, {parts:N0} parts, work log-normal median {medianSeconds} s (sigma 0.8), lease {leaseSeconds} s, seed {seed}");
        Console.WriteLine($"  {vanished:N0} agents vanished mid-part; {partitioned.Count(p => p):N0} agents partitioned from {partitionFrom / 60000.0:0.0} to {partitionTo / 60000.0:0.0} min");
        Console.WriteLine($"  completed in {now / 60000.0:0.0} simulated min; ideal (all work spread evenly over the agents that stayed) {ideal / 60:0.0} min: {now / 1000.0 / ideal:0.00}× the ideal");
        Console.WriteLine($"  leases {leases:N0}: {reissued:N0} parts re-issued ({100.0 * reissued / parts:0.00}%); late reports accepted {lateReports:N0}; duplicate reports {duplicateReports:N0}; done {done:N0}");
        Console.WriteLine($"  store: {sizeAfterSubmit / (1024 * 1024):N0} MiB after the submit, {Size(dir) / (1024 * 1024):N0} MiB at the end (database {stats["database_bytes"] / (1024 * 1024):N0} MiB + WAL); {stats["parts"]:N0} part rows");
        Console.WriteLine($"  wall time {wall.Elapsed.TotalSeconds:0} s (submit {submitSeconds:0} s), {slices:N0} slices of {Slice} ms, {(leases + done) / wall.Elapsed.TotalSeconds:N0} store operations/s");
        Directory.Delete(dir, recursive: true);
        return done == parts ? 0 : 1;
    }

    private static string Owner(int agent) => $"sim:{agent}";

    private static long Size(string dir) => new DirectoryInfo(dir).EnumerateFiles().Sum(f => f.Length);

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
