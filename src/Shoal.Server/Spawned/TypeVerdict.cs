namespace Shoal.Server.Spawned;

/// <summary>A type's self-test verdict on one host.</summary>
internal sealed record TypeVerdict(string Type, string Host, string State, string? Reason);
