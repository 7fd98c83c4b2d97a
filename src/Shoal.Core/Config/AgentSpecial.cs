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
