using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;

namespace Shoal.Storage.Relational;

/// <summary>
/// The state machine's steps inside one write transaction: counters, job completion, dependency
/// unblocking, failure cascades and stream completion (DESIGN.md "Domain").
/// </summary>
internal sealed class Transitions(DbTx tx, long now)
{
    private readonly Dictionary<long, JobDelta> _deltas = [];

    public JobDelta Delta(long job)
    {
        if (!_deltas.TryGetValue(job, out var d))
        {
            d = new JobDelta();
            _deltas[job] = d;
        }

        return d;
    }

    /// <summary>A leased part's try failed: back to ready with attempt + 1, or failed past its retries.</summary>
    public void FailTry(long part, long job, int attempt, int retries, OnPartFailure rule, string? log, string? result = null)
    {
        var d = Delta(job);
        d.Leased--;
        if (attempt > retries)
        {
            tx.Exec(PartFailed, ("@now", now), ("@result", result), ("@log", log), ("@id", part));
            d.Failed++;
            if (rule == OnPartFailure.FailJob)
            {
                d.FailReason ??= $"part {part} failed after {attempt} attempts";
            }
        }
        else
        {
            tx.Exec(PartRetry, ("@log", log), ("@id", part));
            d.Ready++;
            tx.WorkReady = true;
        }
    }

    /// <summary>Adds one ready part per output item to every live job generated from <paramref name="job"/>'s outputs.</summary>
    public void AddGeneratedParts(long job, IReadOnlyList<string> items)
    {
        foreach (var generated in tx.Query(GeneratedJobs, r => r.GetInt64(0), ("@job", job)))
        {
            NewParts.Insert(tx, generated, items.Select(NewParts.Plain));

            var d = Delta(generated);
            tx.WorkReady = true;
            d.Parts += items.Count;
            d.Ready += items.Count;
        }
    }

    /// <summary>Applies the gathered counter changes, then settles every touched job once.</summary>
    public void Flush()
    {
        foreach (var (job, d) in _deltas)
        {
            tx.Exec(JobCounts, ("@p", d.Parts), ("@r", d.Ready), ("@l", d.Leased), ("@d", d.Done), ("@f", d.Failed), ("@job", job));
        }

        foreach (var (job, d) in _deltas)
        {
            if (d.FailReason is not null)
            {
                FailJob(job, d.FailReason);
            }
            else
            {
                Settle(job);
            }
        }

        _deltas.Clear();
    }

    /// <summary>Completes a live job that has no ready or leased part left.</summary>
    public void Settle(long job)
    {
        var row = tx.One(JobForSettle, r => new
        {
            State = (JobState)r.GetInt32(0),
            Ready = r.GetInt32(1),
            Leased = r.GetInt32(2),
            Stream = r.GetInt64(5),
            DepsPending = r.GetInt32(6),
            Generating = !r.IsDBNull(7),
        }, ("@id", job));
        if (row is null || row.State.IsTerminal() || row.State == JobState.Blocked || row.Ready + row.Leased > 0 || row.DepsPending > 0 || row.Generating)
        {
            return;
        }

        tx.Exec(JobFinish, ("@state", (int)JobState.Completed), ("@now", now), ("@reason", null), ("@id", job));
        tx.Exec(DependencyDone, ("@id", job));
        tx.WorkReady |= tx.Exec(UnblockDependents, ("@now", now), ("@id", job)) > 0;

        // A job generated from outputs may have received none: it completes at once.
        foreach (var empty in tx.Query(EmptyUnblocked, r => r.GetInt64(0), ("@id", job)))
        {
            Settle(empty);
        }

        FinishStreamIfDone(row.Stream);
    }

    /// <summary>Fails a job, cancels everything that depends on it (transitively), and finishes the stream if nothing is left.</summary>
    public void FailJob(long job, string reason) => EndJob(job, JobState.Failed, reason);

    /// <summary>Ends a live job as failed or cancelled; its dependents are cancelled with "dependency failed".</summary>
    public void EndJob(long job, JobState state, string reason)
    {
        var stream = tx.Long("SELECT stream_id FROM jobs WHERE id = @id AND state NOT IN (4, 5, 6)", ("@id", job));
        if (stream == 0)
        {
            return;
        }

        tx.Exec(JobFinish, ("@state", (int)state), ("@now", now), ("@reason", reason), ("@id", job));
        CancelDependents(job);
        FinishStreamIfDone(stream);
    }

    public void CancelDependents(long job)
    {
        var queue = new Queue<long>([job]);
        var seen = new HashSet<long> { job };
        while (queue.Count > 0)
        {
            foreach (var dependent in tx.Query(Dependents, r => r.GetInt64(0), ("@id", queue.Dequeue())))
            {
                if (seen.Add(dependent))
                {
                    tx.Exec(CancelJob, ("@now", now), ("@reason", "dependency failed"), ("@id", dependent));
                    queue.Enqueue(dependent);
                }
            }
        }
    }

    public void FinishStreamIfDone(long stream)
    {
        var counts = tx.One(
            StreamJobStates,
            r => new { Live = r.IsDBNull(0) ? 0 : r.GetInt64(0), Failed = r.IsDBNull(1) ? 0 : r.GetInt64(1), Cancelled = r.IsDBNull(2) ? 0 : r.GetInt64(2) },
            ("@id", stream))!;
        if (counts.Live > 0)
        {
            return;
        }

        // A failed job fails the stream; jobs cancelled by a user (and nothing failed) cancel it.
        var state = counts.Failed > 0 ? StreamState.Failed : counts.Cancelled > 0 ? StreamState.Cancelled : StreamState.Completed;
        tx.Exec(StreamFinish, ("@state", (int)state), ("@now", now), ("@id", stream));
    }
}
