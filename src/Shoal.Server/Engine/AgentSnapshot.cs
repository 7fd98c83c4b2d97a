namespace Shoal.Server.Engine;

/// <summary>What status pages show of one running agent.</summary>
internal sealed record AgentSnapshot(
    int Pid,
    string Type,
    string Host,
    long? Job,
    string Phase,
    bool Suspended,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeard,
    long Items,
    IReadOnlyList<long> Parts);

/// <summary>A type's self-test verdict on one host.</summary>
internal sealed record TypeVerdict(string Type, string Host, string State, string? Reason);
