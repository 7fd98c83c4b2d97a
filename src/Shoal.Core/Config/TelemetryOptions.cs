namespace Shoal.Core.Config;

/// <summary><c>[TELEMETRY]</c>: OpenTelemetry traces (a span per submit, lease and report) sent over OTLP.</summary>
public sealed record TelemetryOptions
{
    /// <summary>Where OTLP traces go (e.g. <c>http://collector:4318/v1/traces</c>); unset, none are sent.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>OTLP over HTTP with protobuf bodies (<c>http</c>, the default) or gRPC (<c>grpc</c>).</summary>
    public bool OtlpGrpc { get; init; }
}
