namespace Shoal.Core.Streams;

/// <summary>A validated job stream as submitted.</summary>
public sealed record StreamSpec(string Name, string Owner, int Priority, IReadOnlyList<JobSpec> Jobs);

/// <summary>One job of a submitted stream.</summary>
public sealed record JobSpec(
    string Name,
    string Type,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<PartSpec> Parts,
    TimeSpan? Timeout);

/// <summary>One part: its payload as sent to the agent, and an optional affinity key.</summary>
public sealed record PartSpec(string Payload, string? Key);
