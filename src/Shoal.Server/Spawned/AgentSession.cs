using System.Globalization;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Core.Protocol;
using Shoal.Core.Streams;
using Shoal.Storage;

namespace Shoal.Server.Spawned;

/// <summary>
/// The FOSSology agent protocol of one spawned agent, as a state machine with no process behind it: messages and
/// clock readings in, <see cref="SessionEffect"/>s out (lines to send, signals, reports, log lines). The dispatcher
/// applies the effects; tests drive a session on a fake clock. Its state changes only through the methods below.
/// </summary>
internal sealed class AgentSession(string owner, AgentTypeConfig type, bool remote, JobId? job, DateTimeOffset startedAt, AgentSpecials specials)
{
    private readonly List<LeasedPart> _chunk = [];
    private readonly List<string> _items = [];

    public AgentPhase Phase { get; private set; } = AgentPhase.Starting;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public DateTimeOffset LastHeard { get; private set; } = startedAt;

    public DateTimeOffset LastProgress { get; private set; } = startedAt;

    public DateTimeOffset ChunkStarted { get; private set; }

    /// <summary>Its job is paused: the process is stopped (SIGSTOP) and takes no slot.</summary>
    public bool Suspended => _suspendedAt is not null;

    private DateTimeOffset? _suspendedAt;

    /// <summary>When SIGTERM was sent; SIGKILL follows after the grace period.</summary>
    public DateTimeOffset? TerminatedAt { get; private set; }

    /// <summary>Why the scheduler stopped it, if it did.</summary>
    public string? StopReason { get; private set; }

    public long? ByeCode { get; private set; }

    public long ItemsProcessed { get; private set; }

    public string? Version { get; private set; }

    /// <summary>Its special flags, as its reader keeps them (<see cref="AgentSpecials"/>).</summary>
    public AgentSpecial Special => specials.Current;

    /// <summary>The agent's pid on a remote host (from the ssh wrapper's <c>@PID</c> line), for signals over ssh.</summary>
    public int? RemotePid { get; private set; }

    /// <summary>The parts it holds (sent, not yet answered with <c>OK</c>).</summary>
    public IReadOnlyList<LeasedPart> Chunk => _chunk;

    public bool IsSelfTest => job is null;

    private long _linesHeard;

    /// <summary>One line from the agent's stdout.</summary>
    public IReadOnlyList<SessionEffect> OnLine(AgentMessage msg, DateTimeOffset now)
    {
        LastHeard = now;
        var first = _linesHeard++ == 0;
        if (msg.Kind == AgentMessageKind.Reserved)
        {
            // Only the ssh wrapper's first line names the remote pid that pause and cancel signal: a later "@PID 1"
            // from the agent itself would aim them at every process of the ssh user.
            if (first && remote && msg.Text.StartsWith("@PID ", StringComparison.Ordinal)
                && int.TryParse(msg.Text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1)
            {
                RemotePid = pid;
                return [];
            }

            return [new SessionEffect.Output(msg.Text, ToJobLog: false)];
        }

        if (Phase == AgentPhase.Starting)
        {
            return OnFirstLine(msg, now);
        }

        switch (msg.Kind)
        {
            case AgentMessageKind.Ok when Phase == AgentPhase.Busy:
                LastProgress = now;
                var reports = _chunk.Select((part, i) => (SessionEffect)new SessionEffect.Report(new PartReport(
                    part.PartId, part.LeaseId, owner, PartOutcome.Ok, Items: i == 0 && _items.Count > 0 ? _items.ToList() : null, TraceParent: part.TraceParent))).ToList();
                _chunk.Clear();
                _items.Clear();
                Phase = AgentPhase.Idle;
                return reports;
            case AgentMessageKind.Ok when Phase == AgentPhase.Connecting:
                LastProgress = now;
                Phase = AgentPhase.Idle;
                return [new SessionEffect.Connected(now - StartedAt)];
            case AgentMessageKind.Heart:
                ItemsProcessed = msg.Number;
                if (msg.Flag == 1)
                {
                    LastProgress = now;
                }

                return [];
            case AgentMessageKind.Special or AgentMessageKind.GetSpecial:
                return []; // the agent's reader applied or answered it already (AgentSpecials)
            case AgentMessageKind.Bye:
                ByeCode = msg.Number;
                return [];
            case AgentMessageKind.Email when job is not null:
                // FOSSology's job message: the last one an agent of the job sent goes into the completion email.
                return [new SessionEffect.JobMessage(msg.Text)];
            case AgentMessageKind.Item when Phase == AgentPhase.Busy:
                _items.Add(msg.Text);
                return [];
            default:
                return [new SessionEffect.Output(msg.Text, ToJobLog: job is not null)];
        }
    }

    /// <summary>
    /// Gives an idle agent its next chunk, or <c>CLOSE</c> when there is none. The last guard before an agent's stdin
    /// (every door refuses such values already): a payload that would inject protocol lines is never sent; its part
    /// fails with the reason.
    /// </summary>
    public IReadOnlyList<SessionEffect> Feed(IReadOnlyList<LeasedPart> parts, DateTimeOffset now)
    {
        var effects = new List<SessionEffect>();
        foreach (var part in parts)
        {
            if (LineSafe.Problem(part.Payload) is { } problem)
            {
                effects.Add(new SessionEffect.Report(new PartReport(part.PartId, part.LeaseId, owner, PartOutcome.Failed, Log: $"payload {problem}: not sent to the agent", TraceParent: part.TraceParent)));
            }
            else
            {
                _chunk.Add(part);
            }
        }

        if (_chunk.Count == 0)
        {
            Phase = AgentPhase.Closing;
            effects.Add(new SessionEffect.Send("CLOSE\n"));
            return effects;
        }

        Phase = AgentPhase.Busy;
        ChunkStarted = now;
        LastProgress = now;
        effects.Add(new SessionEffect.Send(string.Join('\n', _chunk.Select(p => p.Payload)) + "\nEND\n"));
        return effects;
    }

    /// <summary>The scheduler stops the agent (SIGTERM) for <paramref name="reason"/>; the first reason given is kept.</summary>
    public IReadOnlyList<SessionEffect> Stop(string reason, DateTimeOffset now)
    {
        if (TerminatedAt is not null)
        {
            return [];
        }

        StopReason ??= reason;
        TerminatedAt = now;
        return [new SessionEffect.Terminate(reason)];
    }

    /// <summary>
    /// The watchdog: a silent agent (<c>heartbeat_timeout</c>), a busy one without progress (<c>progress_timeout</c>)
    /// or past its chunk's <c>timeout</c> is stopped; one that ignores SIGTERM for <paramref name="grace"/> is killed.
    /// </summary>
    public IReadOnlyList<SessionEffect> Watch(DateTimeOffset now, TimeSpan grace)
    {
        if (Suspended)
        {
            return [];
        }

        if (TerminatedAt is { } t)
        {
            return now - t > grace ? [new SessionEffect.Signal(Signals.Kill)] : [];
        }

        var noKill = Special.HasFlag(AgentSpecial.NoKill);
        var silent = now - LastHeard;
        if (!noKill && silent > type.HeartbeatTimeout)
        {
            return Stop($"no output for {silent.TotalSeconds:0} s (heartbeat_timeout {type.HeartbeatTimeout.TotalSeconds:0} s)", now);
        }

        if (!noKill && Phase == AgentPhase.Busy && now - LastProgress > type.ProgressTimeout)
        {
            return Stop($"no progress for {(now - LastProgress).TotalSeconds:0} s (progress_timeout)", now);
        }

        return Phase == AgentPhase.Busy && type.Timeout is { } limit && now - ChunkStarted > limit
            ? Stop($"chunk took longer than {limit.TotalSeconds:0} s (timeout)", now)
            : [];
    }

    /// <summary>Its job's state: paused suspends it (its slot is freed), restarted resumes it, failed or cancelled stops it.</summary>
    public IReadOnlyList<SessionEffect> JobStateIs(JobState state, DateTimeOffset now)
    {
        if (TerminatedAt is not null)
        {
            return [];
        }

        var effects = new List<SessionEffect>();
        if (state == JobState.Paused && _suspendedAt is null)
        {
            effects.Add(new SessionEffect.Signal(Signals.Stop));
            _suspendedAt = now;
        }
        else if (state != JobState.Paused && _suspendedAt is { } pausedAt)
        {
            effects.Add(new SessionEffect.Signal(Signals.Cont));
            // The pause is nobody's silence and not the chunk's time.
            ChunkStarted += now - pausedAt;
            _suspendedAt = null;
            LastHeard = now;
            LastProgress = now;
        }

        if (state is JobState.Failed or JobState.Cancelled && Phase == AgentPhase.Busy)
        {
            effects.AddRange(Stop($"its job was {state.Name()}", now));
        }

        return effects;
    }

    /// <summary>The first line must be <c>VERSION:</c>; anything else stops the agent and fails its type on the host.</summary>
    private IReadOnlyList<SessionEffect> OnFirstLine(AgentMessage msg, DateTimeOffset now)
    {
        if (msg.Kind != AgentMessageKind.Version)
        {
            var reason = $"agent didn't send version information: \"{msg.Text}\"";
            Phase = AgentPhase.Closing;
            return [new SessionEffect.NoVersion(reason), .. Stop(reason, now)];
        }

        Version = msg.Text;
        Phase = AgentPhase.Connecting;
        return [new SessionEffect.VersionSaid(msg.Text)];
    }

    /// <summary>The process ended: why, whether cleanly (<c>BYE 0</c>, nothing held, not stopped), and whether it ever spoke.</summary>
    public AgentExit Exited(int exitCode, string? stderrTail)
    {
        var neverConnected = Phase == AgentPhase.Starting;
        var clean = ByeCode == 0 && StopReason is null && _chunk.Count == 0;
        Phase = AgentPhase.Exited;
        var reason = StopReason
            ?? (ByeCode is { } bye && bye != 0 ? $"agent failed with error code {bye}"
            : neverConnected ? $"agent exited with {Signals.DescribeExit(exitCode)} before sending its version"
            : $"agent exited with {Signals.DescribeExit(exitCode)} without BYE 0");
        if (StopReason is null && !clean && stderrTail is { } said)
        {
            // What the agent said before it died is the reason an operator needs ("unable to open system configuration").
            reason += $"; its stderr: {said}";
        }

        return new AgentExit(reason, clean, neverConnected && StopReason is null, _chunk.Count);
    }
}

/// <summary>How an agent's process ended, as its session saw it. <paramref name="DiedBeforeVersion"/>: not stopped by the scheduler.</summary>
internal sealed record AgentExit(string Reason, bool Clean, bool DiedBeforeVersion, int PartsHeld);
