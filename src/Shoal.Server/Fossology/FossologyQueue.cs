using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shoal.Core.Model;
using Shoal.Server.Broker;
using Shoal.Server.Hosting;
using Shoal.Server.Operations;
using Shoal.Storage;

namespace Shoal.Server.Fossology;

/// <summary>
/// FOSSology's own job queue (<c>job</c>, <c>jobqueue</c>, <c>jobdepends</c> in the database of its <c>Db.conf</c>), worked
/// as <c>fo_scheduler</c> works it, so FOSSology's UI and reports run unchanged on Shoal. A row whose prerequisites
/// all completed becomes a Shoal stream of one job (its type <c>jq_type</c>, its one part <c>jq_args</c>) named
/// <c>fossology-jq-&lt;jq_pk&gt;</c>; the row is then marked started, and when the job ends, completed or failed (with its
/// dependents: <c>dependency failed</c>), with FOSSology's own statements. Shoal's store keeps the leases: the stream
/// is looked up by name before a row is submitted, so a row is never submitted twice, whichever process was killed
/// between the two writes, and rows in flight are picked up again at start.
/// </summary>
internal sealed class FossologyQueue(
    ConfigHolder config,
    IQueueStore store,
    StreamSubmitter submitter,
    WorkChanged changes,
    Logging.JobLogs jobLogs,
    FossologyJobIds inFlight,
    ILogger<FossologyQueue> logger) : BackgroundService
{
    /// <summary>A Shoal stream made from a jobqueue row is named this, then the row's jq_pk.</summary>
    public const string StreamPrefix = "fossology-jq-";


    // Until the first look at the queue has taken its rows, a row may have a stream already (submitted just before
    // Shoal stopped, not marked started yet): those rows are looked up by name. Later rows are new.
    private bool _lookUp = true;
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>The least time between two looks at FOSSology's queue.</summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config.Current.Scheduler.FossologyDatabase is not { } db)
        {
            return;
        }

        await using var source = NpgsqlDataSource.Create(ConnectionString(db));
        changes.Raised += OnChange;
        try
        {
            await RecoverAsync(source, stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await SyncAsync(source, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    // FOSSology's database away for a moment: Shoal keeps running the work it has, and looks again.
                    Log.FossologyQueueFailed(logger, ex.Message);
                }

                // FOSSology looks every agent_update_interval, on the database command and when an agent ends. Changes
                // that come close together are taken in one look (every report raises one).
                await Task.Delay(Coalesce, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await ((Task)_wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        finally
        {
            changes.Raised -= OnChange;
        }
    }

    private void OnChange(Change change, object? from)
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Woken already.
            }
        }
    }

    private static string ConnectionString(IReadOnlyDictionary<string, string> db)
    {
        var b = new NpgsqlConnectionStringBuilder { Database = db["dbname"] };
        foreach (var (key, value) in db)
        {
            switch (key.ToLowerInvariant())
            {
                case "host": b.Host = value; break;
                case "port": b.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "user": b.Username = value; break;
                case "password": b.Password = value; break;
                default: break;
            }
        }

        return b.ConnectionString;
    }

    /// <summary>
    /// At start: rows left 'Started' whose stream Shoal has are in flight again. Rows 'Started' by another scheduler
    /// (no stream here) run again with <c>--reset</c>, as with fo_scheduler, and are left as they are without it.
    /// </summary>
    private async Task RecoverAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        var started = new List<int>();
        await using (var cmd = source.CreateCommand(
            "SELECT jq_pk FROM jobqueue WHERE jq_endtime IS NULL AND jq_starttime IS NOT NULL AND jq_starttime <> CAST('9999-12-31' AS timestamptz)"))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                started.Add(r.GetInt32(0));
            }
        }

        foreach (var pk in started)
        {
            if (await FindAsync(pk, ct).ConfigureAwait(false) is { } job)
            {
                inFlight.Add(pk, job);
            }
            else if (config.Current.Scheduler.FossologyReset)
            {
                await using var reset = source.CreateCommand("UPDATE jobqueue SET jq_starttime = NULL, jq_endtext = NULL, jq_schedinfo = NULL WHERE jq_pk = $1 AND jq_endtime IS NULL");
                reset.Parameters.Add(new NpgsqlParameter { Value = pk });
                await reset.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            else
            {
                Log.FossologyRowLeftStarted(logger, pk);
            }
        }
    }

    /// <summary>Writes back the ends of the rows in flight, then takes the rows that can run now.</summary>
    private async Task SyncAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        if (inFlight.Count > 0)
        {
            var states = await store.GetJobStatesAsync(inFlight.All.Select(p => p.Value).ToList(), ct).ConfigureAwait(false);
            var completed = new List<int>();
            foreach (var (pk, job) in inFlight.All)
            {
                if (states.TryGetValue(job, out var state) && state.IsTerminal())
                {
                    if (state == JobState.Completed)
                    {
                        completed.Add(pk);
                    }
                    else
                    {
                        await FailAsync(source, pk, (await store.GetJobAsync(job, ct).ConfigureAwait(false))?.Reason ?? "Failed", ct).ConfigureAwait(false);
                        inFlight.Remove(pk);
                    }
                }
            }

            if (completed.Count > 0)
            {
                await using var done = source.CreateCommand("UPDATE jobqueue SET jq_endtime = now(), jq_end_bits = jq_end_bits | 1, jq_schedinfo = NULL, jq_endtext = 'Completed' WHERE jq_pk = ANY($1) AND jq_endtime IS NULL");
                done.Parameters.Add(new NpgsqlParameter { Value = completed.ToArray() });
                await done.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                completed.ForEach(inFlight.Remove);
            }
        }

        var rows = new List<(int Pk, string Type, string? Args, int Priority)>();
        await using (var cmd = source.CreateCommand("""
            SELECT jq.jq_pk, jq.jq_type, jq.jq_args, j.job_priority
              FROM jobqueue jq INNER JOIN job j ON j.job_pk = jq.jq_job_fk
             WHERE jq.jq_starttime IS NULL AND jq.jq_end_bits < 2
               AND NOT EXISTS (SELECT 1 FROM jobdepends jd INNER JOIN jobqueue dep ON dep.jq_pk = jd.jdep_jq_depends_fk
                                WHERE jd.jdep_jq_fk = jq.jq_pk AND NOT (dep.jq_endtime IS NOT NULL AND dep.jq_end_bits < 2))
             ORDER BY j.job_priority DESC, jq.jq_pk
             LIMIT 1000
            """))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                rows.Add((r.GetInt32(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3)));
            }
        }

        var taken = new List<(int Pk, JobId Job)>();
        foreach (var row in rows)
        {
            if (await TakeAsync(source, row, ct).ConfigureAwait(false) is { } job)
            {
                taken.Add((row.Pk, job));
            }
        }

        await MarkStartedAsync(source, taken, ct).ConfigureAwait(false);
        _lookUp = false;
    }

    /// <summary>The rows' streams are in Shoal's store: the rows are started, in one round trip.</summary>
    private async Task MarkStartedAsync(NpgsqlDataSource source, List<(int Pk, JobId Job)> taken, CancellationToken ct)
    {
        if (taken.Count == 0)
        {
            return;
        }

        await using var batch = source.CreateBatch();
        foreach (var (pk, job) in taken)
        {
            var started = new NpgsqlBatchCommand("UPDATE jobqueue SET jq_starttime = now(), jq_schedinfo = $1, jq_endtext = 'Started', jq_log = $2 WHERE jq_pk = $3 AND jq_starttime IS NULL");
            started.Parameters.Add(new NpgsqlParameter { Value = $"{config.Current.Scheduler.NodeName}.{Environment.ProcessId}" });
            started.Parameters.Add(new NpgsqlParameter { Value = jobLogs.PathOf(job.Value) });
            started.Parameters.Add(new NpgsqlParameter { Value = pk });
            batch.BatchCommands.Add(started);
        }

        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        foreach (var (pk, job) in taken)
        {
            inFlight.Add(pk, job);
        }
    }

    /// <summary>The job of the row's stream, submitted now unless it exists; null when the row failed instead.</summary>
    private async Task<JobId?> TakeAsync(NpgsqlDataSource source, (int Pk, string Type, string? Args, int Priority) row, CancellationToken ct)
    {
        // A row taken before whose 'Started' did not reach FOSSology's database (it was down a moment) keeps its job.
        var job = inFlight.TryGet(row.Pk, out var known) ? known : _lookUp ? await FindAsync(row.Pk, ct).ConfigureAwait(false) : null;
        if (job is null)
        {
            var json = new JsonObject
            {
                ["name"] = StreamPrefix + row.Pk.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["priority"] = row.Priority,
                ["jobs"] = new JsonArray(new JsonObject { ["name"] = row.Type, ["type"] = row.Type, ["parts"] = new JsonArray(row.Args ?? "") }),
            }.ToJsonString();
            var (created, error) = await submitter.SubmitAsync(json, ct).ConfigureAwait(false);
            if (created is null)
            {
                // An unknown type (not in mods-enabled), a data line that is not one line: the row fails, as its dependents.
                await FailAsync(source, row.Pk, $"ERROR: {error}", ct).ConfigureAwait(false);
                return null;
            }

            job = created.Jobs.Values.Single();
            inFlight.Add(row.Pk, job.Value);
        }

        return job;
    }

    /// <summary>The job of the stream made from row <paramref name="pk"/>, if Shoal has it.</summary>
    private async Task<JobId?> FindAsync(int pk, CancellationToken ct)
    {
        var name = StreamPrefix + pk.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var s in await store.ListStreamsAsync(null, name, null, 100, ct).ConfigureAwait(false))
        {
            if (s.Name == name && await store.GetStreamAsync(s.Id, ct).ConfigureAwait(false) is { Jobs: [var only] })
            {
                return only.Id;
            }
        }

        return null;
    }

    /// <summary>Fails a row and every row that depends on it, transitively, with FOSSology's statements.</summary>
    private static async Task FailAsync(NpgsqlDataSource source, int pk, string reason, CancellationToken ct)
    {
        await using var batch = source.CreateBatch();
        var failed = new NpgsqlBatchCommand("UPDATE jobqueue SET jq_endtime = now(), jq_end_bits = jq_end_bits | 2, jq_schedinfo = NULL, jq_endtext = $1 WHERE jq_pk = $2 AND jq_endtime IS NULL");
        failed.Parameters.Add(new NpgsqlParameter { Value = reason });
        failed.Parameters.Add(new NpgsqlParameter { Value = pk });
        var dependents = new NpgsqlBatchCommand("""
            WITH RECURSIVE deps(jq_pk, depth) AS (
              SELECT jdep_jq_fk, 1 FROM jobdepends WHERE jdep_jq_depends_fk = $1
              UNION ALL
              SELECT jd.jdep_jq_fk, deps.depth + 1 FROM jobdepends jd INNER JOIN deps ON deps.jq_pk = jd.jdep_jq_depends_fk WHERE deps.depth < 20)
            UPDATE jobqueue SET jq_endtime = now(), jq_end_bits = jq_end_bits | 2, jq_schedinfo = NULL, jq_endtext = 'dependency failed'
             WHERE jq_pk IN (SELECT jq_pk FROM deps) AND jq_endtime IS NULL
            """);
        dependents.Parameters.Add(new NpgsqlParameter { Value = pk });
        batch.BatchCommands.Add(failed);
        batch.BatchCommands.Add(dependents);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
