using Shoal.Storage;

namespace Shoal.Server.Spawned;

/// <summary>What an <see cref="AgentSession"/> asks its dispatcher to do.</summary>
internal abstract record SessionEffect
{
    /// <summary>Write <paramref name="Text"/> to the agent's stdin.</summary>
    public sealed record Send(string Text) : SessionEffect;

    /// <summary>Send <paramref name="Number"/> to the agent's process group (locally or over ssh).</summary>
    public sealed record Signal(int Number) : SessionEffect;

    /// <summary>Stop the agent: log <paramref name="Reason"/> and send SIGTERM (SIGKILL follows after the grace period).</summary>
    public sealed record Terminate(string Reason) : SessionEffect;

    /// <summary>Commit this report of a part.</summary>
    public sealed record Report(PartReport Part) : SessionEffect;

    /// <summary>The agent's <c>EMAIL</c> text: its job's message for the completion email.</summary>
    public sealed record JobMessage(string Text) : SessionEffect;

    /// <summary>A line the agent wrote that is not protocol: the server log, and the job's log when it has a job.</summary>
    public sealed record Output(string Text, bool ToJobLog) : SessionEffect;

    /// <summary>The agent said its version: check it against the type's.</summary>
    public sealed record VersionSaid(string Version) : SessionEffect;

    /// <summary>The agent's first line was not <c>VERSION:</c>: its type is invalid on this host.</summary>
    public sealed record NoVersion(string Reason) : SessionEffect;

    /// <summary>The agent's first <c>OK</c>: it is ready, <paramref name="StartUp"/> after it was spawned.</summary>
    public sealed record Connected(TimeSpan StartUp) : SessionEffect;
}
