using Shoal.Core.Model;
using static Shoal.Storage.Relational.StoreSql;
using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

/// <summary>
/// The state machine's steps inside one write transaction: counters, job completion, dependency
/// unblocking, failure cascades and stream completion (DESIGN.md "Domain").
/// </summary>
internal sealed class Transitions(DbTx tx, long now)
{
    /// <summary>The reason of a job cancelled because a job it depends on failed.</summary>
    public const string DependencyFailed = "dependency failed";

    private readonly Dictionary<long, JobDelta> _deltas = [];
    private readonly Dictionary<long, JobFacts> _jobs = [];

    public JobDelta Delta(long job)
    {
        if (!_deltas.TryGetValue(job, out var d))
        {
            d = new JobDelta();
            _deltas[job] = d;
        }

        return d;
    }

    /// <summary>
    /// Reads and locks the state and rules of <paramref name="jobs"/> (in id order, after the parts they decide on),
    /// once per transition.
    /// </summary>
    public IReadOnlyDictionary<long, JobFacts> LockJobs(IEnumerable<long> jobs)
    {
        var missing = jobs.Where(j => !_jobs.ContainsKey(j)).Distinct().ToList();
        if (missing.Count > 0)
        {
            foreach (var (id, facts) in tx.Query(
                tx.Sql.JobsForReport,
                r => (r.GetInt64(0), new JobFacts((JobState)r.GetInt32(1), r.GetInt32(2), (OnPartFailure)r.GetInt32(3), RetryColumn.Read(r, 4))),
                ("@ids", System.Text.Json.JsonSerializer.Serialize(missing))))
            {
                _jobs[id] = facts;
            }
        }

        return _jobs;
    }

    /// <summary>
    /// A leased part's try ended without success: back to ready with attempt + 1, or failed past its retries. In a job
    /// that has ended (cancelled, failed) nothing is retried: a reported failure fails the part, and a lease that ran
    /// out or whose agent died gives the part back unfinished, with no try counted. Returns the part's new state.
    /// </summary>
    public PartState FailTry(HeldPart part, JobFacts job, bool reported, string? log, string? result = null)
    {
        if (job.State.IsTerminal() && !reported)
        {
            return GiveBack(part);
        }

        var d = Delta(part.Job);
        d.Leased--;
        var lease = ("@lease", (object?)part.LeaseNo);
        var id = ("@id", (object?)part.Id);

        if (job.State.IsTerminal() || part.Attempt > job.Retries)
        {
            Changed(tx.Exec(PartFailedTry, ("@now", now), ("@result", result), ("@log", log), id, lease), part);
            d.Failed++;
            if (!job.State.IsTerminal() && job.Rule == OnPartFailure.FailJob)
            {
                d.FailReason ??= FailReason(part, log, result);
            }

            return PartState.Failed;
        }

        if (!job.Retry.IsImmediate)
        {
            var at = now + (long)job.Retry.DelayBefore(part.Attempt + 1, System.Security.Cryptography.RandomNumberGenerator.GetInt32(1_000_000) / 1e6).TotalMilliseconds;
            Changed(tx.Exec(PartRetryLater, ("@at", at), ("@log", log), id, lease), part);
            d.Retrying++;
            return PartState.Retrying;
        }

        Changed(tx.Exec(PartRetry, ("@log", log), id, lease), part);
        d.Ready++;
        tx.WorkReady = true;
        return PartState.Ready;
    }

    /// <summary>A leased part goes back to ready unfinished, no try counted (its job ended, or its try said nothing of the part).</summary>
    public PartState GiveBack(HeldPart part)
    {
        var d = Delta(part.Job);
        d.Leased--;
        Changed(tx.Exec(PartUnleased, ("@id", part.Id), ("@lease", part.LeaseNo)), part);
        d.Ready++;
        tx.WorkReady = true;
        return PartState.Ready;
    }

    /// <summary>
    /// A job's reason when a part fails it: the part's payload (what an operator recognises), its tries, and the last
    /// line of what its last try said (its log, else its result): <c>part 7 'host-17' failed after 3 attempts: Connection refused</c>.
    /// </summary>
    private string FailReason(HeldPart part, string? log, string? result)
    {
        var payload = tx.One("SELECT payload FROM parts WHERE id = @id", r => r.GetString(0), ("@id", part.Id)) ?? "";
        var said = (log ?? result)?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return $"part {part.Id} '{Short(payload, 80)}' failed after {part.Attempt} attempt{(part.Attempt == 1 ? "" : "s")}"
            + (string.IsNullOrEmpty(said) ? "" : ": " + Short(said, 200));
    }

    private static string Short(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    /// <summary>Throws when a locked row was not as read: the transaction is then run again (see <see cref="StoreConflictException"/>).</summary>
    public static void Changed(int rows, HeldPart part)
    {
        if (rows != 1)
        {
            throw new StoreConflictException($"part {part.Id} changed under lease {part.LeaseNo}");
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
        // In id order, as every transition locks jobs, so that two writers do not wait on each other.
        var ordered = _deltas.OrderBy(x => x.Key).ToList();
        foreach (var (job, d) in ordered)
        {
            tx.Exec(JobCounts, ("@p", d.Parts), ("@r", d.Ready), ("@l", d.Leased), ("@d", d.Done), ("@f", d.Failed), ("@w", d.Retrying), ("@job", job));
        }

        foreach (var (job, d) in ordered)
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
        _jobs.Clear();
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
            Retrying = r.GetInt32(8),
        }, ("@id", job));
        if (row is null || row.State.IsTerminal() || row.State == JobState.Blocked || row.Ready + row.Leased + row.Retrying > 0 || row.DepsPending > 0 || row.Generating
            || tx.Long(UnfinishedPart, ("@id", job)) == 1)
        {
            return;
        }

        // Conditional: a job completes once, so its dependents count it once.
        if (tx.Exec(JobFinish, ("@state", (int)JobState.Completed), ("@now", now), ("@reason", null), ("@id", job)) != 1)
        {
            return;
        }

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
        var stream = tx.Long($"SELECT stream_id FROM jobs WHERE id = @id AND state NOT IN {JobEnded}", ("@id", job));
        if (stream == 0)
        {
            return;
        }

        if (tx.Exec(JobFinish, ("@state", (int)state), ("@now", now), ("@reason", reason), ("@id", job)) != 1)
        {
            return;
        }

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
                    tx.Exec(CancelJob, ("@now", now), ("@reason", DependencyFailed), ("@id", dependent));
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
