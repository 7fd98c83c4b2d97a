using Shoal.Core.Config;
using Shoal.Core.Model;

namespace Shoal.Server.Spawned;

/// <summary>What the launcher needs to start one agent.</summary>
internal sealed record AgentStart(int Serial, string Owner, AgentTypeConfig Type, HostConfig Host, JobId? Job, StreamId? Stream, DateTimeOffset Now);
