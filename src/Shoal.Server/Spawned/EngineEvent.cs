using Shoal.Server.Spawned;

namespace Shoal.Server.Spawned;

/// <summary>Something the dispatcher loop must react to. Posted by reader tasks, timers and API calls.</summary>
internal abstract record EngineEvent;

/// <summary>A line from an agent's stdout.</summary>
internal sealed record AgentLineEvent(SpawnedAgent Agent, Core.Protocol.AgentMessage Message) : EngineEvent;

/// <summary>An agent's process ended (after its stdout closed).</summary>
internal sealed record AgentExitedEvent(SpawnedAgent Agent, int ExitCode) : EngineEvent;

/// <summary>New work may be there (submit, resume, a finished dependency).</summary>
internal sealed record WakeEvent : EngineEvent;

/// <summary>Jobs were paused, restarted or cancelled: suspend, resume or stop their agents.</summary>
internal sealed record JobsChangedEvent : EngineEvent;

/// <summary>Time passed: expire leases, time out jobs, watch agents, rerun failed self-tests.</summary>
internal sealed record TickEvent : EngineEvent;

/// <summary>Stop leasing; close agents as they finish their chunks.</summary>
internal sealed record DrainEvent : EngineEvent;

/// <summary>Send <c>VERBOSE n</c> to a job's running agents.</summary>
internal sealed record VerboseEvent(Core.Model.JobId Job, int Level) : EngineEvent;

/// <summary>Kill every agent at once (the command port's <c>die</c>).</summary>
internal sealed record KillAllEvent : EngineEvent;

/// <summary>The configuration was reloaded: run the self-tests again.</summary>
internal sealed record ReloadedEvent : EngineEvent;
