using System.Diagnostics;
using System.Globalization;
using Shoal.Storage.Postgres;
using Shoal.Storage.Sqlite;
using Shouldly;

namespace Shoal.Storage.Tests.Concurrency;

/// <summary>
/// The concurrency conformance suite of the store contract: seeded rounds of <see cref="ConformanceRound"/>, each checked
/// by <see cref="Invariants"/>. <c>SHOAL_CONFORMANCE_SEED</c> replays one seed; <c>SHOAL_CONFORMANCE_ROUNDS</c> runs more
/// rounds (the soak in bench/ does). A failure names its seed.
/// </summary>
public abstract class ConcurrencyConformance
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the stores the clients of one round use: on PostgreSQL several instances on one schema, as several servers.</summary>
    protected abstract Task<IReadOnlyList<IShoalStore>> OpenAsync();

    /// <summary>Removes what <see cref="OpenAsync"/> made, after its stores are closed.</summary>
    protected virtual void CleanUp()
    {
    }

    [Fact]
    public async Task ConcurrentClients_InRandomInterleavings_KeepEveryInvariant()
    {
        var rounds = Env("SHOAL_CONFORMANCE_ROUNDS", 12);
        var first = Env("SHOAL_CONFORMANCE_SEED", Random.Shared.Next(1, 1_000_000));
        var single = Environment.GetEnvironmentVariable("SHOAL_CONFORMANCE_SEED") is { Length: > 0 };
        var clock = Stopwatch.StartNew();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < (single ? 1 : rounds); r++)
        {
            var seed = first + r;
            var stores = await OpenAsync();
            try
            {
                var round = new ConformanceRound(stores, seed, clients: 8, opsPerClient: 60);
                await round.RunAsync(Ct);
                var problems = await Invariants.CheckAsync(stores[0], round.Ledger, [round.Main!.Id, round.Side!.Id], Ct);
                foreach (var key in round.Ledger.Answers.Select(a => $"{a.Report.Outcome}:{a.Outcome}").Append("grants").Concat(round.Ledger.Grants.Select(g => "grants")))
                {
                    seen[key] = seen.GetValueOrDefault(key) + 1;
                }

                problems.ShouldBeEmpty($"seed {seed} (replay with SHOAL_CONFORMANCE_SEED={seed}): {problems.Count} violations");
            }
            finally
            {
                foreach (var s in stores)
                {
                    await s.DisposeAsync();
                }

                CleanUp();
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{rounds} rounds from seed {first} in {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", seen.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key} {x.Value}"))}");
    }

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;
}

/// <summary>The conformance suite on SQLite: concurrent clients on one embedded store (one server per file).</summary>
public sealed class SqliteConcurrencyConformance : ConcurrencyConformance
{
    private DirectoryInfo? _dir;

    protected override void CleanUp() => _dir?.Delete(recursive: true);

    protected override async Task<IReadOnlyList<IShoalStore>> OpenAsync()
    {
        var dir = _dir = Directory.CreateTempSubdirectory("shoal-conform-");
        var store = new SqliteStore(Path.Combine(dir.FullName, "shoal.db"), Core.Config.SqliteSync.Normal);
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return [store];
    }
}

/// <summary>The conformance suite on PostgreSQL: three store instances on one schema, as three servers.</summary>
public sealed class PostgresConcurrencyConformance : ConcurrencyConformance
{
    protected override async Task<IReadOnlyList<IShoalStore>> OpenAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var schema = await Postgres.PostgresTestDatabase.CreateSchemaAsync(ct);
        var stores = Enumerable.Range(0, 3).Select(_ => new PostgresStore(schema)).ToList();
        await stores[0].MigrateAsync(ct);
        return stores;
    }
}
