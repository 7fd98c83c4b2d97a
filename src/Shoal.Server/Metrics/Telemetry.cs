using System.Diagnostics;

namespace Shoal.Server.Metrics;

/// <summary>
/// Shoal's traces: one <see cref="ActivitySource"/> with a span per submit, per lease request and per report, on the
/// one path each takes whatever front door called it. Nothing is recorded unless a listener (the OTLP exporter of
/// <c>[TELEMETRY]</c>, or a test's) subscribes.
/// </summary>
internal static class Telemetry
{
    public const string Name = "Shoal";

    public static readonly ActivitySource Source = new(Name, typeof(Telemetry).Assembly.GetName().Version?.ToString());
}
