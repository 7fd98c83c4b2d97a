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
    string? GenerateFrom = null,
    GeneratorSpec? Generator = null,
    IReadOnlyList<string>? RequiresTags = null);

/// <summary>Parts generated from an address range: <paramref name="Chunk"/> addresses per part.</summary>
public sealed record GeneratorSpec(string Range, int Chunk);

/// <summary>One part: its payload as sent to the agent, and an optional affinity key.</summary>
/// <remarks><paramref name="IsJson"/> says the payload is the JSON text of an object part (the API returns it as an object).</remarks>
public sealed record PartSpec(string Payload, string? Key, bool IsJson = false)
{
    /// <summary>The key's first byte when the key starts with two hex digits (affinity routes on it), else null.</summary>
    public static int? KeyByte(string? key) =>
        key is { Length: >= 2 } && int.TryParse(key.AsSpan(0, 2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var b)
            ? b
            : null;
}
