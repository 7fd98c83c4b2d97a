namespace Shoal.Contracts;

/// <summary>Answer to <c>GET /api/v1/agents</c>.</summary>
/// <remarks><c>StartupMs</c> is the mean time from spawning an agent to its first <c>OK</c>, over <c>Started</c> agents.</remarks>
public sealed record AgentsResponse(
    IReadOnlyList<AgentTypeDto> Types, IReadOnlyList<AgentDto> Agents, IReadOnlyList<HostDto> Hosts, long Started, double StartupMs, IReadOnlyList<PullAgentDto>? Pull = null);

/// <summary>
/// A pull agent as this server has heard from it (by its token): <c>State</c> is <c>busy</c> (it holds leases),
/// <c>idle</c>, or <c>lost</c> (silent past <c>LostAfter</c>); <c>Done</c> and <c>Failed</c> count the reports this server
/// took from it since it started, <c>Rate</c> its parts per minute over the last minute.
/// </summary>
public sealed record PullAgentDto(
    string Name,
    long TokenId,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Types,
    string State,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    int Leases,
    long Done,
    long Failed,
    double Rate,
    string? Server = null);

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

/// <summary>Body of <c>POST /api/v1/jobs/{id}/kill</c>: the reason the job's parts fail with (optional).</summary>
public sealed record KillRequest(string? Message = null);

/// <summary>Body of <c>POST /api/v1/jobs/{id}/priority</c>.</summary>
public sealed record PriorityRequest(int Priority);

/// <summary>Body of <c>POST /api/v1/verbose</c>: the scheduler's verbosity, or one job's agents' when <c>Job</c> is given.</summary>
public sealed record VerboseRequest(int Level, long? Job = null);

/// <summary>Body of <c>POST /dashboard/login</c>: an admin token.</summary>
public sealed record SignInRequest(string? Token = null);
