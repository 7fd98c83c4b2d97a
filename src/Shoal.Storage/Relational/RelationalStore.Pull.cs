using System.Text.Json;
using Shoal.Core.Model;
using Shoal.Core.Streams;
using static Shoal.Storage.Relational.StoreSql;
using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<HeartbeatOutcome?> HeartbeatAsync(PartId part, long leaseId, string owner, Func<string, DateTimeOffset> deadlineOf, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            var row = tx.One(
                "SELECT j.state, s.state, j.type, j.id FROM parts p JOIN jobs j ON j.id = p.job_id JOIN streams s ON s.id = j.stream_id WHERE p.id = @id",
                r => new { Job = (JobState)r.GetInt32(0), Stream = (StreamState)r.GetInt32(1), Type = r.GetString(2), Id = new JobId(r.GetInt64(3)) },
                ("@id", part.Value));
            if (row is null)
            {
                return null;
            }

            var deadline = deadlineOf(row.Type);
            // A lease of a job that has ended is not extended: its holder is told to stop.
            var extended = !row.Job.IsTerminal() && tx.Exec(
                $"UPDATE parts SET deadline = @deadline WHERE id = @id AND state = {PartLeased} AND lease_no = @lease AND owner = @owner",
                ("@deadline", Ms(deadline)), ("@id", part.Value), ("@lease", leaseId), ("@owner", owner)) == 1;
            return new HeartbeatOutcome(extended, deadline, row.Job, row.Stream, row.Id);
        }, ct);

    public Task<ControlOutcome> ForceJobAsync(JobId id, CancellationToken ct) =>
        WriteAsync(tx =>
        {
            tx.WorkReady = true;
            return Outcome(tx, "jobs", id.Value, tx.Exec($"UPDATE jobs SET forced = 1 WHERE id = @id AND state NOT IN {JobEnded}", ("@id", id.Value)));
        }, ct);

    public async Task<JobId?> GeneratePartsAsync(int limit, DateTimeOffset now, CancellationToken ct)
    {
        var job = await ReadAsync(
            tx => tx.One(
                "SELECT id, generator, gen_next, state FROM jobs WHERE generator IS NOT NULL ORDER BY id LIMIT 1",
                r => new { Id = r.GetInt64(0), Spec = JsonSerializer.Deserialize<GeneratorSpec>(r.GetString(1))!, Next = r.GetInt64(2), State = (JobState)r.GetInt32(3) }),
            ct).ConfigureAwait(false);
        if (job is null)
        {
            return null;
        }

        // The host list is read outside any transaction: a slow file never holds the store's writes up.
        var payloads = job.State.IsTerminal() ? [] : Batch(job.Id, job.Spec, job.Next, limit);
        if (job.State.IsTerminal())
        {
            _hostLists.Forget(job.Id);
        }

        return await WriteAsync(tx =>
        {
            var added = payloads.Count;
            var end = job.Next + added;
            var done = added < limit;

            // Only from where it was read: a batch another writer made meanwhile is not made twice.
            if (tx.Exec(
                "UPDATE jobs SET gen_next = @next, generator = CASE WHEN @done THEN NULL ELSE generator END, n_parts = n_parts + @k, n_ready = n_ready + @k WHERE id = @id AND gen_next = @from AND generator IS NOT NULL",
                ("@next", end), ("@done", done), ("@k", added), ("@id", job.Id), ("@from", job.Next)) == 0)
            {
                return (JobId?)new JobId(job.Id);
            }

            NewParts.Insert(tx, job.Id, payloads.Select(NewParts.Plain));
            tx.WorkReady = added > 0;
            if (done)
            {
                // The last batch may have been leased and completed already: the job may be finished.
                new Transitions(tx, Ms(now)).Settle(job.Id);
            }

            return new JobId(job.Id);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Parts <paramref name="next"/>.. of a generator, at most <paramref name="limit"/>; fewer means it is exhausted.</summary>
    private List<string> Batch(long job, GeneratorSpec spec, long next, int limit)
    {
        if (spec.File is { } file)
        {
            return _hostLists.Read(job, file, spec.Chunk, next, limit);
        }

        // The range was validated at submit; an unparsable one (never expected) generates nothing.
        if (!IpRange.TryParse(spec.Range ?? "", out var range, out _))
        {
            return [];
        }

        var end = Math.Min(range!.PartCount(spec.Chunk), next + limit);
        var parts = new List<string>();
        for (var i = next; i < end; i++)
        {
            parts.Add(range.Part(i, spec.Chunk));
        }

        return parts;
    }
}
