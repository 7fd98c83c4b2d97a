using Prometheus;

namespace Shoal.Server.Metrics;

/// <summary>
/// The server's Prometheus metrics, in a registry of their own (no global state): parts leased, completed,
/// failed and expired, lease latency, report commit latency, queue depth by type and agents by state.
/// </summary>
internal sealed class ShoalMetrics
{
    public ShoalMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        PartsLeased = factory.CreateCounter("shoal_parts_leased_total", "Parts handed to agents.", "kind");
        PartsReported = factory.CreateCounter("shoal_parts_reported_total", "Part reports by outcome.", "outcome");
        PartsExpired = factory.CreateCounter("shoal_parts_expired_total", "Leases that expired and went back to the stack (or failed).");
        LeaseSeconds = factory.CreateHistogram("shoal_lease_seconds", "Time of one lease statement.", new HistogramConfiguration
        {
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16),
        });
        CommitSeconds = factory.CreateHistogram("shoal_report_commit_seconds", "Time of one group commit of reports.", new HistogramConfiguration
        {
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16),
        });
        QueueDepth = factory.CreateGauge("shoal_queue_depth", "Ready parts of jobs that may lease now, by agent type.", "type");
        Agents = factory.CreateGauge("shoal_agents", "Spawned agents by phase.", "phase");
        PullAgents = factory.CreateGauge("shoal_pull_agents", "Pull agents this server has heard from, by state (busy, idle, lost).", "state");
        LongPollsWaiting = factory.CreateGauge("shoal_long_polls_waiting", "Lease requests of pull agents waiting for work on this server.");
        StreamsStuck = factory.CreateGauge("shoal_streams_stuck", "Live streams that cannot finish (an invalid type, or no live agent can take a job for stuck_seconds).");
        StoreUp = factory.CreateGauge("shoal_store_up", "1 while the store takes writes, 0 while they fail (disk full, read-only, unreachable).");
        StoreWriteFailures = factory.CreateCounter("shoal_store_write_failures_total", "Writes that failed for a reason of the store's own.");
    }

    public CollectorRegistry Registry { get; }

    public Counter PartsLeased { get; }

    public Counter PartsReported { get; }

    public Counter PartsExpired { get; }

    public Histogram LeaseSeconds { get; }

    public Histogram CommitSeconds { get; }

    public Gauge QueueDepth { get; }

    public Gauge Agents { get; }

    public Gauge PullAgents { get; }

    public Gauge LongPollsWaiting { get; }

    public Gauge StreamsStuck { get; }

    public Gauge StoreUp { get; }

    public Counter StoreWriteFailures { get; }
}
