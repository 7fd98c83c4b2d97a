namespace Shoal.Core.Protocol;

/// <summary>What a line from a spawned agent means (FOSSology's agent protocol).</summary>
public enum AgentMessageKind
{
    /// <summary>Anything else: log output, and a sign of life.</summary>
    Log,
    Version,
    Ok,
    Heart,
    Special,
    GetSpecial,
    Email,
    Bye,
    Item,

    /// <summary>Lines starting with <c>@</c> are reserved; logged and otherwise ignored.</summary>
    Reserved,

    /// <summary>A recognised keyword whose arguments do not parse.</summary>
    Malformed,
}
