using Microsoft.Extensions.Hosting;
using Shoal.Core.Model;
using Shoal.Server.Broker;
using Shoal.Server.Spawned;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Operations;

/// <summary>
/// What an operator does to jobs, streams and the server, written once: REST, the command port, the dashboard (over
/// REST) and the CLI call these. Each change of a job raises the one wake signal, so the broker and the views see it.
/// </summary>
internal sealed class JobOperations(
    IQueueStore store,
    TimeProvider time,
    WorkChanged changes,
    Dispatcher dispatcher,
    ConfigReloader reloader,
    Logging.Verbosity verbosity,
    IHostApplicationLifetime lifetime,
    Microsoft.Extensions.Logging.ILogger<JobOperations> logger)
{
    /// <summary>The reason a job cancelled by an operator carries.</summary>
    public const string CancelledByUser = "cancelled by user";

    /// <summary>The reason a job killed without a message carries.</summary>
    public const string KilledByOperator = "killed by an operator";

    public Task<ControlOutcome> PauseJobAsync(JobId id, CancellationToken ct) => ChangedAsync("pause", "job", id.Value, store.PauseJobAsync(id, time.GetUtcNow(), ct));

    public Task<ControlOutcome> ResumeJobAsync(JobId id, CancellationToken ct) => ChangedAsync("resume", "job", id.Value, store.ResumeJobAsync(id, time.GetUtcNow(), ct));

    public Task<ControlOutcome> CancelJobAsync(JobId id, CancellationToken ct) =>
        ChangedAsync("cancel", "job", id.Value, store.EndJobAsync(id, JobState.Cancelled, CancelledByUser, time.GetUtcNow(), ct));

    /// <summary>Fails the job for good with <paramref name="message"/> (FOSSology's <c>kill</c>).</summary>
    public Task<ControlOutcome> KillJobAsync(JobId id, string message, CancellationToken ct) =>
        ChangedAsync("kill", "job", id.Value, store.EndJobAsync(id, JobState.Failed, message, time.GetUtcNow(), ct));

    public Task<ControlOutcome> SetPriorityAsync(JobId id, int priority, CancellationToken ct) => ChangedAsync("priority " + priority.ToString(System.Globalization.CultureInfo.InvariantCulture), "job", id.Value, store.SetJobPriorityAsync(id, priority, ct));

    /// <summary>Starts a job now, past its limits and dependencies.</summary>
    public Task<ControlOutcome> ForceJobAsync(JobId id, CancellationToken ct) => ChangedAsync("force", "job", id.Value, store.ForceJobAsync(id, ct));

    /// <summary>
    /// Gives a failed job's failed parts fresh tries (a job completed with failed parts too); the job, the dependents its
    /// failure cancelled and its stream re-open. <see cref="ControlOutcome.InvalidState"/> when nothing in it failed.
    /// </summary>
    public Task<ControlOutcome> RequeueJobAsync(JobId id, CancellationToken ct) => ChangedAsync("requeue", "job", id.Value, store.RequeueJobAsync(id, time.GetUtcNow(), ct));

    /// <summary>Requeues every failed job of a stream (see <see cref="RequeueJobAsync"/>).</summary>
    public Task<ControlOutcome> RequeueStreamAsync(StreamId id, CancellationToken ct) => ChangedAsync("requeue", "stream", id.Value, store.RequeueStreamAsync(id, time.GetUtcNow(), ct));

    public Task<ControlOutcome> PauseStreamAsync(StreamId id, CancellationToken ct) => ChangedAsync("pause", "stream", id.Value, store.PauseStreamAsync(id, time.GetUtcNow(), ct));

    public Task<ControlOutcome> ResumeStreamAsync(StreamId id, CancellationToken ct) => ChangedAsync("resume", "stream", id.Value, store.ResumeStreamAsync(id, time.GetUtcNow(), ct));

    public Task<ControlOutcome> CancelStreamAsync(StreamId id, CancellationToken ct) =>
        ChangedAsync("cancel", "stream", id.Value, store.CancelStreamAsync(id, CancelledByUser, time.GetUtcNow(), ct));

    /// <summary>Looks for work now (FOSSology's <c>database</c>): every waiter and the dispatcher look again.</summary>
    public void Poll() => changes.Raise(Change.PartsReady);

    /// <summary>Null when the new configuration is in force, else why not (the old one stays).</summary>
    public string? Reload() => reloader.Reload();

    /// <summary>Sets the scheduler's verbosity, or one job's (its running agents are told).</summary>
    public void Verbose(long? job, int level)
    {
        if (job is { } id)
        {
            verbosity.SetJob(id, level);
            dispatcher.Verbose(new JobId(id), level);
        }
        else
        {
            verbosity.Level = level;
        }
    }

    /// <summary>Stops the server; its agents finish their chunks within the shutdown grace.</summary>
    public void Stop() => lifetime.StopApplication();

    /// <summary>Kills every agent at once and stops the server.</summary>
    public void Die()
    {
        dispatcher.KillAll();
        lifetime.StopApplication();
    }

    /// <summary>Carries out an operator's action, logs it (what, on what, how it ended) and raises the wake signal.</summary>
    private async Task<ControlOutcome> ChangedAsync(string action, string kind, long id, Task<ControlOutcome> operation)
    {
        var outcome = await operation.ConfigureAwait(false);
        Log.OperatorAction(logger, action, kind, id, outcome switch
        {
            ControlOutcome.Done => "done",
            ControlOutcome.NotFound => "not found",
            _ => "refused in its state",
        });
        changes.Raise(Change.JobStates);
        return outcome;
    }
}
