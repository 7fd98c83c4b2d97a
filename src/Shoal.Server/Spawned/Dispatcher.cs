using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Core.Protocol;
using Shoal.Server.Spawned;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Spawned;

/// <summary>
/// The one loop that owns the spawned agents. Reader tasks, timers and API calls post events to a
/// channel; only this loop changes agent state and talks to the store on their behalf, so there are
/// no locks around the model. Completions that arrive together are committed together, and every
/// idle agent's next chunk is leased in one transaction.
/// </summary>
internal sealed partial class Dispatcher : BackgroundService
{
    private static readonly WakeEvent WakeSignal = new();
    private static readonly JobsChangedEvent JobsChangedSignal = new();
    private readonly Channel<EngineEvent> _events = Channel.CreateBounded<EngineEvent>(new BoundedChannelOptions(65536) { SingleReader = true });
    private readonly List<SpawnedAgent> _agents = [];
    private readonly List<PartReport> _reports = [];
    private readonly List<SpawnedAgent> _dead = [];
    private readonly AgentHealth _health = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _selfTestsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (int Finished, int Failed)> _agentEnds = new();
    private readonly IQueueStore _store;
    private readonly ConfigHolder _config;
    private readonly TimeProvider _time;
    private readonly AgentLauncher _launcher;
    private readonly Broker.WorkChanged _changes;
    private readonly Broker.WorkBroker _broker;
    private readonly Sweeps.SweepLock _sweepLock;
    private readonly Logging.JobLogs _jobLogs;
    private readonly Metrics.ShoalMetrics _metrics;
    private readonly ILogger<Dispatcher> _logger;
    private readonly ClusterMember _cluster;
    private ExclusiveGate _gate = ExclusiveGate.None;
    private bool _draining;
    private bool _spawnCheck = true;
    private bool _syncJobs;
    private int _serial;
    private long _startups;
    private TimeSpan _startupTotal;

    public Dispatcher(
        IQueueStore store,
        ConfigHolder config,
        TimeProvider time,
        AgentLauncher launcher,
        Broker.WorkChanged changes,
        Broker.WorkBroker broker,
        Sweeps.SweepLock sweepLock,
        Logging.JobLogs jobLogs,
        Metrics.ShoalMetrics metrics,
        ClusterMember cluster,
        ILogger<Dispatcher> logger)
    {
        _cluster = cluster;
        _metrics = metrics;
        // Until they are launched, the start-up self-tests are listed as under way: a first status counts them, as
        // FOSSology's scheduler starts them before it listens ("jobs:0" means they are over).
        var startup = config.Current;
        SelfTests = startup.AgentTypes.Values.Where(t => t.Kind == Core.Model.AgentKind.Spawned)
            .SelectMany(t => startup.Hosts.Where(h => CanRunOn(t, h)).Select(h => new Contracts.AgentDto(
                0, t.Name, h.Name, null, "starting", false, time.GetUtcNow(), time.GetUtcNow(), 0, [], startup.Scheduler.NodeName)))
            .ToList();
        _jobLogs = jobLogs;
        _sweepLock = sweepLock;
        _changes = changes;
        _broker = broker;
        // Whatever changed elsewhere: look again (job states are re-read only when an operation changed them).
        changes.Raised += (change, from) =>
        {
            if (from == this)
            {
                return;
            }

            if (change.HasFlag(Broker.Change.JobStates))
            {
                JobsChanged();
            }
            else
            {
                Wake();
            }
        };
        _store = store;
        _config = config;
        _time = time;
        _launcher = launcher;
        _logger = logger;
    }

    /// <summary>Owner names of this server's agents start with this.</summary>
    public string OwnerPrefix => $"spawn:{_config.Current.Scheduler.NodeName}:";

    /// <summary>A snapshot of the running agents, for status pages.</summary>
    public IReadOnlyList<Contracts.AgentDto> Agents { get; private set; } = [];

    /// <summary>Agent types that cannot run anywhere, with the reason.</summary>
    public IReadOnlyDictionary<string, string> InvalidTypes { get; private set; } = new Dictionary<string, string>();

    /// <summary>Self-test verdicts per type and host.</summary>
    public IReadOnlyList<TypeVerdict> Verdicts { get; private set; } = [];

    /// <summary>Hosts currently marked down.</summary>
    public IReadOnlyList<string> DownHosts { get; private set; } = [];

    /// <summary>Jobs held back by an EXCLUSIVE job, with the reason.</summary>
    public IReadOnlyDictionary<Core.Model.JobId, string> ExclusiveWaits { get; private set; } = new Dictionary<Core.Model.JobId, string>();

    /// <summary>The self-tests under way: FOSSology's status lists them as jobs (negative ids).</summary>
    public IReadOnlyList<Contracts.AgentDto> SelfTests { get; private set; } = [];

    /// <summary>Completed once every agent type's self-test has a verdict on every host (<c>fo_scheduler -t</c>).</summary>
    public Task SelfTestsDone => _selfTestsDone.Task;

    /// <summary>Per job, its agents that ended cleanly and that failed: FOSSology's <c>finished:</c> and <c>failed:</c>.</summary>
    public (int Finished, int Failed) AgentEndsOf(long job) => _agentEnds.GetValueOrDefault(job);

    /// <summary>Agents that reached their first <c>OK</c>, and the mean time from spawn to it.</summary>
    public (long Count, double MeanMs) Startup { get; private set; }

    public void Wake() => _events.Writer.TryWrite(WakeSignal);

    public void JobsChanged() => _events.Writer.TryWrite(JobsChangedSignal);

    public void Verbose(Core.Model.JobId job, int level) => _events.Writer.TryWrite(new VerboseEvent(job, level));

    public void KillAll() => _events.Writer.TryWrite(new KillAllEvent());

    public void Reloaded() => _events.Writer.TryWrite(new ReloadedEvent());

    /// <summary>
    /// Takes no more work and waits for the running agents to finish, up to <c>shutdown_grace</c>: the first step of a
    /// stop. The command port calls it before it closes, so status, load and die still answer while agents finish.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        _events.Writer.TryWrite(new DrainEvent());
        _drainGrace ??= Task.Delay(_config.Current.Scheduler.ShutdownGrace, _time, cancellationToken);
        // A loop that already ended (it failed) drains nothing: no need to wait the grace out.
        await Task.WhenAny(_drained.Task, _drainGrace, ExecuteTask ?? Task.CompletedTask).ConfigureAwait(false);
    }

    private Task? _drainGrace;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (var agent in _agents)
        {
            agent.Signal(Signals.Kill);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _broker.RecoverAsync(OwnerPrefix, stoppingToken).ConfigureAwait(false);

        _ = TickAsync(stoppingToken);
        // A first step at once: the start-up self-tests are launched before the first tick.
        _events.Writer.TryWrite(new JobsChangedEvent());
        var reader = _events.Reader;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false);
                var n = 0;
                while (n++ < 4096 && reader.TryRead(out var e))
                {
                    await HandleAsync(e, stoppingToken).ConfigureAwait(false);
                }

                await StepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.DispatcherError(_logger, ex);
            }
        }
    }

    /// <summary>After a batch of events: commit completions, release dead agents' parts, then feed and start agents.</summary>
    private async Task StepAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_reports.Count > 0)
        {
            await _broker.ReportManyAsync(_reports.ToList(), ct, from: this).ConfigureAwait(false);
            _reports.Clear();
            _spawnCheck = true;
        }

        foreach (var agent in _dead)
        {
            if (agent.Session.Chunk.Count > 0)
            {
                await _broker.ReleaseOwnerAsync(agent.Owner, agent.ExitReason ?? "agent died", ct).ConfigureAwait(false);
            }

            await agent.DisposeAsync().ConfigureAwait(false);
        }

        _dead.Clear();
        if (_syncJobs)
        {
            _syncJobs = false;
            await SyncJobStatesAsync(ct).ConfigureAwait(false);
        }

        IReadOnlyList<JobDemand> demand = [];
        if (_spawnCheck && !_draining)
        {
            var spawned = _config.Current.AgentTypes.Values.Where(t => t.Kind == Core.Model.AgentKind.Spawned).Select(t => t.Name).ToList();
            demand = spawned.Count == 0 ? [] : await _store.GetDemandAsync(now, _config.Current.Scheduler.AgingStep, spawned, ct).ConfigureAwait(false);
            _gate = ExclusiveGate.Compute(demand, _agents, _config.Current);
        }

        await FeedIdleAgentsAsync(now, ct).ConfigureAwait(false);
        if (_spawnCheck && !_draining)
        {
            _spawnCheck = false;
            StartSelfTests(now);
            await SpawnForDemandAsync(demand, now, ct).ConfigureAwait(false);
        }

        Publish(now);
        await FailJobsOfInvalidTypesAsync(demand, now, ct).ConfigureAwait(false);
        if (_draining && _agents.Count == 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>
    /// With <c>invalid_type_jobs = fail</c>, a ready job of a type no host can run fails at once with FOSSology's
    /// message (and the reason of the failed self-test); by default it waits for a later self-test to pass.
    /// </summary>
    private async Task FailJobsOfInvalidTypesAsync(IReadOnlyList<JobDemand> demand, DateTimeOffset now, CancellationToken ct)
    {
        if (!_config.Current.Scheduler.FailJobsOfInvalidTypes || demand.Count == 0 || InvalidTypes.Count == 0)
        {
            return;
        }

        var failed = false;
        foreach (var d in demand.Where(d => InvalidTypes.ContainsKey(d.Type)))
        {
            var reason = $"agent type has been invalidated: {InvalidTypes[d.Type]}";
            failed |= (await _store.EndJobAsync(d.Job, Core.Model.JobState.Failed, reason, now, ct).ConfigureAwait(false)) == ControlOutcome.Done;
            Log.JobOfInvalidTypeFailed(_logger, d.Job.Value, d.Type, reason);
        }

        if (failed)
        {
            _changes.Raise(Broker.Change.JobStates, this);
        }
    }

    private void Publish(DateTimeOffset now)
    {
        Agents = _agents.Where(a => !a.IsSelfTest).Select(Dto).ToList();
        SelfTests = _agents.Where(a => a.IsSelfTest).Select(Dto).ToList();
        _cluster.Agents = Agents;
        InvalidTypes = _health.InvalidTypes(_config.Current, now);
        Verdicts = _health.Verdicts().Select(v => new TypeVerdict(v.Type, v.Host, v.State.ToString().ToLowerInvariant(), v.Reason)).ToList();
        if (!_selfTestsDone.Task.IsCompleted && SelfTests.Count == 0 && Verdicts.All(v => v.State != "testing"))
        {
            _selfTestsDone.TrySetResult();
        }
        DownHosts = _health.DownHosts(now);
        ExclusiveWaits = _gate.Blocked;
        Startup = (_startups, _startups == 0 ? 0 : _startupTotal.TotalMilliseconds / _startups);
    }

    private Contracts.AgentDto Dto(SpawnedAgent a) => new(
        a.Pid, a.Type.Name, a.Host.Name, a.Job?.Value, a.Session.Phase.ToString().ToLowerInvariant(), a.Session.Suspended,
        a.Session.StartedAt, a.Session.LastHeard, a.Session.ItemsProcessed, a.Session.Chunk.Select(p => p.PartId.Value).ToList(), _config.Current.Scheduler.NodeName);

    private async Task TickAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_config.Current.Scheduler.TickInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                _events.Writer.TryWrite(new TickEvent());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task HandleAsync(EngineEvent e, CancellationToken ct)
    {
        switch (e)
        {
            case AgentLineEvent line:
                return OnLineAsync(line.Agent, line.Message, ct);
            case AgentExitedEvent exited:
                OnExited(exited.Agent, exited.ExitCode);
                break;
            case TickEvent:
                return OnTickAsync(ct);
            case DrainEvent:
                _draining = true;
                break;
            case VerboseEvent v:
                return Task.WhenAll(_agents.Where(a => a.Job == v.Job).Select(a => a.SendAsync($"VERBOSE {v.Level}\n", ct)));
            case KillAllEvent:
                _draining = true;
                _agents.ForEach(a => a.Signal(Signals.Kill));
                break;
            case ReloadedEvent:
                _health.Reset();
                _spawnCheck = true;
                break;
            case JobsChangedEvent:
                _syncJobs = true;
                _spawnCheck = true;
                break;
            default:
                _spawnCheck = true;
                break;
        }

        return Task.CompletedTask;
    }
}
