using System.Diagnostics.Metrics;

namespace Shoal.Server.Metrics;

/// <summary>
/// The server's metrics, all on one <see cref="Meter"/> named <c>Shoal</c> (each server its own instance, so servers in
/// one process never mix their counts): parts leased, reported and expired, lease and report-commit latency, and
/// gauges read from <see cref="Snapshot"/> (queue depth by type, agents by phase and state, long polls, stuck streams,
/// the store). <c>/metrics</c> serves them in Prometheus's text format (OpenTelemetry's exporter: <c>shoal.parts.leased</c>
/// is <c>shoal_parts_leased_total</c>, <c>shoal.lease</c> in seconds is <c>shoal_lease_seconds</c>); with
/// <c>[TELEMETRY] otlp_endpoint</c> they also go out over OTLP.
/// </summary>
internal sealed class ShoalMetrics : IDisposable
{
    public const string MeterName = "Shoal";

    // 0.1 ms doubling to ~3.3 s: a lease statement or a group commit.
    private static readonly double[] LatencyBuckets = [.. Enumerable.Range(0, 16).Select(i => 0.0001 * Math.Pow(2, i))];

    public ShoalMetrics()
    {
        Meter = new Meter(MeterName, typeof(ShoalMetrics).Assembly.GetName().Version?.ToString());
        PartsLeased = Meter.CreateCounter<long>("shoal.parts.leased", description: "Parts handed to agents, by kind (spawned, pull).");
        PartsReported = Meter.CreateCounter<long>("shoal.parts.reported", description: "Part reports by outcome (ok, failed).");
        PartsExpired = Meter.CreateCounter<long>("shoal.parts.expired", description: "Leases that expired and went back to the stack (or failed).");
        var latency = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets };
        LeaseSeconds = Meter.CreateHistogram("shoal.lease", "s", "Time of one lease statement.", advice: latency);
        CommitSeconds = Meter.CreateHistogram("shoal.report.commit", "s", "Time of one group commit of reports.", advice: latency);
        Meter.CreateObservableGauge("shoal.queue.depth", () => Tagged(Snapshot.QueueDepth, "type"), description: "Ready parts of jobs that may lease now, by agent type.");
        Meter.CreateObservableGauge("shoal.agents", () => Tagged(Snapshot.Agents, "phase"), description: "Spawned agents by phase.");
        Meter.CreateObservableGauge("shoal.pull_agents", () => Tagged(Snapshot.PullAgents, "state"), description: "Pull agents this server has heard from, by state (busy, idle, lost).");
        Meter.CreateObservableGauge("shoal.long_polls_waiting", () => Snapshot.LongPollsWaiting, description: "Lease requests of pull agents waiting for work on this server.");
        Meter.CreateObservableGauge("shoal.streams_stuck", () => Volatile.Read(ref _streamsStuck), description: "Live streams that cannot finish (an invalid type, or no live agent can take a job for stuck_seconds).");
        Meter.CreateObservableGauge("shoal.store_up", () => Snapshot.StoreUp ? 1 : 0, description: "1 while the store takes writes, 0 while they fail (disk full, read-only, unreachable).");
        Meter.CreateObservableCounter("shoal.store_write_failures", () => Snapshot.StoreWriteFailures, description: "Writes that failed for a reason of the store's own.");
    }

    private int _streamsStuck;

    public Meter Meter { get; }

    public Counter<long> PartsLeased { get; }

    public Counter<long> PartsReported { get; }

    public Counter<long> PartsExpired { get; }

    public Histogram<double> LeaseSeconds { get; }

    public Histogram<double> CommitSeconds { get; }

    /// <summary>What the gauges show: read from the store and the server's parts just before each scrape.</summary>
    public GaugeSnapshot Snapshot { get; set; } = GaugeSnapshot.Empty;

    /// <summary>Live streams that cannot finish, as the stuck watch last counted them.</summary>
    public int StreamsStuck
    {
        get => Volatile.Read(ref _streamsStuck);
        set => Volatile.Write(ref _streamsStuck, value);
    }

    public void Dispose() => Meter.Dispose();

    private static IEnumerable<Measurement<long>> Tagged(IReadOnlyDictionary<string, long> values, string tag) =>
        values.Select(v => new Measurement<long>(v.Value, new KeyValuePair<string, object?>(tag, v.Key)));
}

/// <summary>The gauges' values at one moment.</summary>
internal sealed record GaugeSnapshot(
    IReadOnlyDictionary<string, long> QueueDepth,
    IReadOnlyDictionary<string, long> Agents,
    IReadOnlyDictionary<string, long> PullAgents,
    long LongPollsWaiting,
    bool StoreUp,
    long StoreWriteFailures)
{
    public static GaugeSnapshot Empty { get; } = new(new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>(), 0, true, 0);
}
