namespace Shoal.Core.Streams;

/// <summary>The outcome of parsing a submitted stream: a spec, or the reason it was refused.</summary>
public sealed record SpecResult(StreamSpec? Spec, string? Error)
{
    public static SpecResult Ok(StreamSpec spec) => new(spec, null);

    public static SpecResult Fail(string error) => new(null, error);
}
