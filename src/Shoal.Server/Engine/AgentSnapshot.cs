namespace Shoal.Server.Engine;

/// <summary>What status pages show of one running agent.</summary>
internal sealed record AgentSnapshot(int Pid, string Type, string Host, string Phase, DateTimeOffset LastHeard, long Items, IReadOnlyList<long> Parts);
