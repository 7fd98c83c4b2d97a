using Shoal.Core.Model;
using Shoal.Core.Streams;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests.Concurrency;

/// <summary>
/// One seeded round of the concurrency conformance suite: independent clients, each on a store instance of its
/// own choosing (on PostgreSQL, separate instances as separate servers are), lease, report, report twice through
/// two servers at once, report late from an expired owner at the moment the new holder reports, fail, heartbeat,
/// give back, expire, pause, resume and cancel in random interleavings; then one client drains what is left.
/// Every call and answer goes into a <see cref="Ledger"/> that <see cref="Invariants"/> checks.
/// </summary>
internal sealed class ConformanceRound(IReadOnlyList<IShoalStore> stores, int seed, int clients, int opsPerClient)
{
    private static readonly TimeSpan LeaseFor = TimeSpan.FromSeconds(30);
    private static readonly IReadOnlyList<TypeLimit> Types = [new("scan", -1, LeaseFor), new("pull-x", -1, LeaseFor)];
    private readonly object _gate = new();
    private readonly List<(LeasedPart Part, string Owner)> _everGranted = [];
    private long _clockMs;

    public Ledger Ledger { get; } = new();

    public StreamCreated? Main { get; private set; }

    public StreamCreated? Side { get; private set; }

    /// <summary>The shared clock: every client reads it; the expiring client moves it on.</summary>
    private DateTimeOffset Now => Start.AddMilliseconds(Interlocked.Read(ref _clockMs));

    /// <summary>Scan jobs fail the job after 2 tries; pull-x jobs carry on past a failed part, and wait 10 s (doubling) before a retry.</summary>
    public static JobRules RulesOf(string type) => type == "scan"
        ? new JobRules(1, OnPartFailure.FailJob)
        : new JobRules(2, OnPartFailure.Continue, new RetryPolicy(TimeSpan.FromSeconds(10), Backoff: 2, Jitter: 0.5));

    public async Task RunAsync(CancellationToken ct)
    {
        Main = await stores[0].SubmitAsync(
            new StreamSpec("main", "ops@example.com", 0, [
                Job("a", parts: 40), Job("b", parts: 30, deps: "a"), Job("c", type: "pull-x", parts: 30), Job("d", type: "pull-x", parts: 20, deps: ["b", "c"])]),
            RulesOf, Now, ct);
        Side = await stores[^1].SubmitAsync(new StreamSpec("side", "ops@example.com", 1, [Job("e", parts: 30), Job("f", type: "pull-x", parts: 15, deps: "e")]), RulesOf, Now, ct);

        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => ClientAsync(i, ct), ct)));
        await DrainAsync(ct);
    }

    private async Task ClientAsync(int index, CancellationToken ct)
    {
        var random = new Random(HashCode.Combine(seed, index));
        var owner = $"c{index}";
        var store = stores[index % stores.Count];
        var held = new List<LeasedPart>();
        var reported = new List<PartReport>();
        for (var op = 0; op < opsPerClient; op++)
        {
            var roll = random.Next(100);
            if (roll < 30 || held.Count == 0 && roll < 70)
            {
                held.AddRange(await LeaseAsync(store, owner, 1 + random.Next(4), ct));
            }
            else if (roll < 55 && held.Count > 0)
            {
                var part = Take(held, random);
                var report = random.Next(10) == 0 ? Fail(part, owner) : Ok(part, owner) with { Result = $"{{\"by\":\"{owner}\"}}" };
                reported.Add(report);
                await ReportRacingAsync(report, store, random, ct);
            }
            else if (roll < 62 && reported.Count > 0)
            {
                // The same report again, as a client that timed out and retried elsewhere sends it.
                await ReportAsync(PickOther(store, random), reported[random.Next(reported.Count)], ct);
            }
            else if (roll < 68 && held.Count > 0)
            {
                var part = held[random.Next(held.Count)];
                await store.HeartbeatAsync(part.PartId, part.LeaseId, owner, _ => Now + LeaseFor, ct);
            }
            else if (roll < 72 && held.Count > 0)
            {
                var part = Take(held, random);
                await store.ReleasePartAsync(part.PartId, part.LeaseId, owner, ct);
            }
            else if (roll < 80)
            {
                Interlocked.Add(ref _clockMs, random.Next(25_000));
                await store.ExpireAsync(Now, ct);
            }
            else if (roll < 88)
            {
                await store.PauseStreamAsync(Main!.Id, Now, ct);
                await Task.Yield();
                await store.ResumeStreamAsync(Main.Id, Now, ct);
            }
            else if (roll < 89)
            {
                await store.CancelStreamAsync(Side!.Id, "cancelled by the test", Now, ct);
            }
            else if (roll < 91)
            {
                await store.ReleaseOwnerAsync(owner, "agent died", Now, ct);
                held.Clear();
            }
            else if (roll < 96)
            {
                // Retry times come (any server may apply them: they are deadlines).
                Interlocked.Add(ref _clockMs, random.Next(20_000));
                await store.ReadyRetriesAsync(Now, ct);
            }
        }
    }

    private async Task<IReadOnlyList<LeasedPart>> LeaseAsync(IShoalStore store, string owner, int max, CancellationToken ct)
    {
        var started = Ledger.Tick();
        var got = await store.LeaseAsync(new LeaseRequest(owner, owner, -1, Types, max, Now, null), ct);
        var ended = Ledger.Tick();
        lock (_gate)
        {
            foreach (var part in got)
            {
                Ledger.Grants.Add(new Ledger.Grant(part, owner, started, ended));
                _everGranted.Add((part, owner));
            }
        }

        return got;
    }

    /// <summary>
    /// Sends a report, and at the same moment, now and then, the same report through another server, or the report
    /// of another lease of the same part (an expired owner and the new holder reporting together).
    /// </summary>
    private async Task ReportRacingAsync(PartReport report, IShoalStore store, Random random, CancellationToken ct)
    {
        var calls = new List<Task> { ReportAsync(store, report, ct) };
        if (random.Next(3) == 0)
        {
            calls.Add(ReportAsync(PickOther(store, random), report, ct));
        }

        (LeasedPart Part, string Owner)? rival;
        lock (_gate)
        {
            rival = _everGranted.Where(g => g.Part.PartId == report.PartId && g.Part.LeaseId != report.LeaseId).Select(g => ((LeasedPart, string)?)g).LastOrDefault();
        }

        if (rival is { } r && random.Next(2) == 0)
        {
            calls.Add(ReportAsync(PickOther(store, random), Ok(r.Part, r.Owner), ct));
        }

        await Task.WhenAll(calls);
    }

    private async Task ReportAsync(IShoalStore store, PartReport report, CancellationToken ct)
    {
        var started = Ledger.Tick();
        var outcome = (await store.CompleteAsync([report], Now, ct)).Single();
        Ledger.Answers.Add(new Ledger.Answer(report, outcome, started, Ledger.Tick()));
    }

    /// <summary>After the clients: every lease runs out, the side stream may be cancelled, and one agent finishes what is left.</summary>
    private async Task DrainAsync(CancellationToken ct)
    {
        var store = stores[0];
        await store.ResumeStreamAsync(Main!.Id, Now, ct);
        for (var round = 0; round < 200; round++)
        {
            Interlocked.Add(ref _clockMs, 3_600_000);
            await store.ExpireAsync(Now, ct);

            // A lease that ran out just now puts its part to wait for its retry time: let that time come too, or the
            // drain would end with parts still waiting.
            Interlocked.Add(ref _clockMs, 3_600_000);
            while (await store.ReadyRetriesAsync(Now, ct) > 0)
            {
            }

            var got = await LeaseAsync(store, "drain", 100, ct);
            if (got.Count == 0)
            {
                return;
            }

            foreach (var part in got)
            {
                await ReportAsync(store, Ok(part, "drain"), ct);
            }
        }

        throw new InvalidOperationException("the drain did not finish in 200 rounds");
    }

    private IShoalStore PickOther(IShoalStore mine, Random random) =>
        stores.Count == 1 ? mine : stores.Where(s => !ReferenceEquals(s, mine)).ElementAt(random.Next(stores.Count - 1));

    private static LeasedPart Take(List<LeasedPart> held, Random random)
    {
        var i = random.Next(held.Count);
        var part = held[i];
        held.RemoveAt(i);
        return part;
    }
}
