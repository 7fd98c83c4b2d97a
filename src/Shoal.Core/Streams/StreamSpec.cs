namespace Shoal.Core.Streams;

/// <summary>A validated job stream as submitted.</summary>
public sealed record StreamSpec(string Name, string Owner, int Priority, IReadOnlyList<JobSpec> Jobs);

/// <summary>One job of a submitted stream.</summary>
public sealed record JobSpec(
    string Name,
    string Type,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<PartSpec> Parts,
    TimeSpan? Timeout,
    string? GenerateFrom = null);

/// <summary>One part: its payload as sent to the agent, and an optional affinity key.</summary>
public sealed record PartSpec(string Payload, string? Key)
{
    /// <summary>The key's first byte when the key starts with two hex digits (affinity routes on it), else null.</summary>
    public static int? KeyByte(string? key) =>
        key is { Length: >= 2 } && int.TryParse(key.AsSpan(0, 2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var b)
            ? b
            : null;
}
