using System.Text.RegularExpressions;

namespace Shoal.Tests;

/// <summary>
/// <c>/metrics</c> as the tests read it: OpenTelemetry's exporter labels every series with the meter's name and version
/// (<c>otel_scope_name="Shoal"</c>); <see cref="Plain"/> leaves those out, so <c>shoal_store_up 1</c> reads as written.
/// </summary>
internal static partial class Prometheus
{
    public static string Plain(string text) => Scope().Replace(text, "").Replace("{}", "", StringComparison.Ordinal);

    [GeneratedRegex(@"otel_scope_(?:name|version)=""[^""]*"",?")]
    private static partial Regex Scope();
}
