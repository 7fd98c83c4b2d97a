namespace Shoal.Contracts;

/// <summary>Answer to <c>GET /api/v1/agents</c>.</summary>
/// <remarks><c>StartupMs</c> is the mean time from spawning an agent to its first <c>OK</c>, over <c>Started</c> agents.</remarks>
public sealed record AgentsResponse(IReadOnlyList<AgentTypeDto> Types, IReadOnlyList<AgentDto> Agents, IReadOnlyList<HostDto> Hosts, long Started, double StartupMs);

/// <summary>An agent type with its self-test verdict per host.</summary>
public sealed record AgentTypeDto(string Name, string Kind, int Max, bool Valid, string? Reason, IReadOnlyList<HostVerdictDto> Hosts);

/// <summary>A type's self-test verdict on one host: testing, valid or invalid.</summary>
public sealed record HostVerdictDto(string Host, string State, string? Reason);

/// <summary>A running spawned agent, and the server of the cluster that spawned it.</summary>
public sealed record AgentDto(
    int Pid,
    string Type,
    string Host,
    long? Job,
    string Phase,
    bool Suspended,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeard,
    long Items,
    IReadOnlyList<long> Parts,
    string? Server = null);

/// <summary>A server of the cluster: <c>State</c> is <c>alive</c>, or <c>lost</c> when it has not recorded itself for 10 s.</summary>
public sealed record ServerDto(
    string Name, string Url, DateTimeOffset StartedAt, DateTimeOffset LastSeen, bool Leader, string State, IReadOnlyList<AgentDto> Agents, long ClockOffsetMs = 0);

/// <summary>A host with its running agents.</summary>
public sealed record HostDto(string Name, string Address, int Max, int Running, bool Down);
