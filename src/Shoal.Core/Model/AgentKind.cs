namespace Shoal.Core.Model;

/// <summary>How agents of a type get their work.</summary>
public enum AgentKind
{
    /// <summary>The scheduler starts the agent process and feeds it over the line protocol.</summary>
    Spawned = 0,

    /// <summary>A remote agent asks for work over REST/JSON.</summary>
    Pull = 1,
}
