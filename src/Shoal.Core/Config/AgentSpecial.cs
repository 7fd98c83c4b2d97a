namespace Shoal.Core.Config;

/// <summary>FOSSology's special flags, with their protocol mask values.</summary>
[Flags]
public enum AgentSpecial
{
    None = 0,
    NoKill = 1,
    Exclusive = 2,
    NoEmail = 4,
    Local = 8,
}

/// <summary>What an EXCLUSIVE job waits for and keeps out while it runs.</summary>
public enum ExclusiveScope
{
    /// <summary>Every other job (FOSSology's behaviour).</summary>
    All,

    /// <summary>Only the other jobs of its own stream.</summary>
    Stream,
}
