using Shoal.Core.Config;
using Shoal.Core.Protocol;

namespace Shoal.Server.Spawned;

/// <summary>
/// An agent's special flags (its type's, changed by its <c>SPECIAL</c> lines), kept by the agent's reader task as it
/// reads them. The reader answers <c>GETSPECIAL</c> at once, as FOSSology's per-agent communication thread does: the
/// answer never waits behind the dispatcher's lease and the chunk it sends, which the agent would read as its
/// <c>VALUE</c>. The session reads <see cref="Current"/> for its watchdog.
/// </summary>
internal sealed class AgentSpecials(AgentSpecial initial)
{
    private int _value = (int)initial;

    public AgentSpecial Current => (AgentSpecial)Volatile.Read(ref _value);

    /// <summary>Applies a <c>SPECIAL</c> line; for a <c>GETSPECIAL</c> line, the reply to send now; else null.</summary>
    public string? Take(AgentMessage message)
    {
        switch (message.Kind)
        {
            case AgentMessageKind.Special:
                var mask = (int)message.Number;
                Volatile.Write(ref _value, message.Flag == 1 ? _value | mask : _value & ~mask);
                return null;
            case AgentMessageKind.GetSpecial:
                return ((long)Current & message.Number) != 0 ? "VALUE: 1\n" : "VALUE: 0\n";
            default:
                return null;
        }
    }
}
