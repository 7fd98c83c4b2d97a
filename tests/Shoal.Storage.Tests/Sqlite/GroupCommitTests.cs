using Shoal.Storage.Sqlite;
using Shouldly;

namespace Shoal.Storage.Tests.Sqlite;

/// <summary>
/// Group commit on the SQLite write connection: writes queued behind a running transaction share the next one,
/// a write that throws is rolled back alone, and a write whose caller gave up before its turn never runs.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(Directory.CreateTempSubdirectory("shoal-group-").FullName, "g.db"));
        await _store.MigrateAsync(Ct);
        await _store.WriteAsync(tx => tx.Exec("CREATE TABLE scratch (n INTEGER NOT NULL)"), Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task QueuedWrites_ShareOneCommit_AndAThrowingWriteIsRolledBackAlone()
    {
        using var running = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => _store.WriteAsync(tx => { running.Set(); release.Wait(Ct); return tx.Exec("INSERT INTO scratch (n) VALUES (-1)"); }, Ct), Ct);
        running.Wait(Ct);
        var commitsBefore = _store.Commits;

        var writes = Enumerable.Range(0, 40).Select(i => _store.WriteAsync(
            tx =>
            {
                tx.Exec("INSERT INTO scratch (n) VALUES (@n)", ("@n", i));
                return i % 7 == 3 ? throw new InvalidOperationException($"write {i} refused") : i;
            },
            Ct)).ToList();
        release.Set();
        await first;
        foreach (var (write, i) in writes.Select((w, i) => (w, i)))
        {
            if (i % 7 == 3)
            {
                (await Should.ThrowAsync<InvalidOperationException>(write)).Message.ShouldBe($"write {i} refused");
            }
            else
            {
                (await write).ShouldBe(i);
            }
        }

        var rows = await _store.ReadAsync(tx => tx.Query("SELECT n FROM scratch ORDER BY n", r => r.GetInt32(0)), Ct);
        rows.ShouldBe([-1, .. Enumerable.Range(0, 40).Where(i => i % 7 != 3)], "the refused writes' rows are gone, every other row is there");
        (_store.Commits - commitsBefore).ShouldBeLessThanOrEqualTo(2, "40 queued writes took one or two commits, not forty");
    }

    [Fact]
    public async Task AWriteWhoseCallerGivesUpBeforeItsTurn_NeverRuns()
    {
        using var running = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => _store.WriteAsync(tx => { running.Set(); release.Wait(Ct); return 0; }, Ct), Ct);
        running.Wait(Ct);
        using var giveUp = new CancellationTokenSource();
        var abandoned = _store.WriteAsync(tx => tx.Exec("INSERT INTO scratch (n) VALUES (99)"), giveUp.Token);
        var kept = _store.WriteAsync(tx => tx.Exec("INSERT INTO scratch (n) VALUES (1)"), Ct);

        await giveUp.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(abandoned);
        release.Set();
        await first;
        await kept;

        (await _store.ReadAsync(tx => tx.Query("SELECT n FROM scratch", r => r.GetInt32(0)), Ct)).ShouldBe([1]);
    }
}
