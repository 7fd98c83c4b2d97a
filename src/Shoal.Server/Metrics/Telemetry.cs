using System.Diagnostics;
using Shoal.Storage;

namespace Shoal.Server.Metrics;

/// <summary>
/// Shoal's traces: one <see cref="ActivitySource"/> with a span per submit, per lease request and per report, on the
/// one path each takes whatever front door called it. Nothing is recorded unless a listener (the OTLP exporter of
/// <c>[TELEMETRY]</c>, or a test's) subscribes.
/// </summary>
/// <remarks>
/// Each leased part also gets a trace of its own: <c>shoal.part.lease</c> is its root (linked to the lease request's
/// span), its W3C context travels with the part (a pull agent's <c>traceparent</c>, the <c>TRACEPARENT</c> of the command
/// <c>shoal agent</c> runs, the spawned agent's session) and comes back with the report, whose <c>shoal.part.report</c>
/// span is its child — one trace from lease to report, whichever server takes the report.
/// </remarks>
internal static class Telemetry
{
    public const string Name = "Shoal";

    public static readonly ActivitySource Source = new(Name, typeof(Telemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts each part's own trace; the parts come back carrying its context (unchanged when nobody listens).</summary>
    public static IReadOnlyList<LeasedPart> TraceParts(IReadOnlyList<LeasedPart> parts, string owner, Activity? lease)
    {
        if (parts.Count == 0 || !Source.HasListeners())
        {
            return parts;
        }

        // A root: not a child of the lease request (one trace per part, not one per batch), but linked to it.
        var current = Activity.Current;
        Activity.Current = null;
        try
        {
            var links = lease is null ? null : new[] { new ActivityLink(lease.Context) };
            return parts.Select(p =>
            {
                using var span = Source.StartActivity("shoal.part.lease", ActivityKind.Internal, default(ActivityContext), links: links);
                if (span is null)
                {
                    return p;
                }

                span.SetTag("shoal.part", p.PartId.Value);
                span.SetTag("shoal.job", p.JobId.Value);
                span.SetTag("shoal.attempt", p.Attempt);
                span.SetTag("shoal.agent", owner);
                return p with { TraceParent = span.Id };
            }).ToList();
        }
        finally
        {
            Activity.Current = current;
        }
    }

    /// <summary>A span in each reported part's trace (for reports that carry one), saying what became of the report.</summary>
    public static void PartsReported(IReadOnlyList<PartReport> reports, IReadOnlyList<ReportOutcome> outcomes)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        for (var i = 0; i < reports.Count; i++)
        {
            if (reports[i].TraceParent is not { } trace || !ActivityContext.TryParse(trace, null, out var parent))
            {
                continue;
            }

            using var span = Source.StartActivity("shoal.part.report", ActivityKind.Internal, parent);
            span?.SetTag("shoal.part", reports[i].PartId.Value);
            span?.SetTag("shoal.agent", reports[i].Owner);
            span?.SetTag("shoal.outcome", reports[i].Outcome == PartOutcome.Ok ? "ok" : "failed");
            span?.SetTag("shoal.report", outcomes[i].ToString());
        }
    }
}
