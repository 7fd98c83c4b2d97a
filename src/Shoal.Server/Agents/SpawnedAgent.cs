using System.Diagnostics;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Storage;

namespace Shoal.Server.Agents;

/// <summary>
/// One agent process the scheduler started, for one job (or for a self-test, with no job). Reader
/// tasks only post events; the dispatcher loop alone reads and changes the state below.
/// </summary>
internal sealed class SpawnedAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly AgentLauncher _launcher;

    public SpawnedAgent(AgentStart start, Process process, AgentLauncher launcher)
    {
        Serial = start.Serial;
        Owner = start.Owner;
        Type = start.Type;
        Host = start.Host;
        Job = start.Job;
        Stream = start.Stream;
        Special = start.Type.Special;
        StartedAt = start.Now;
        LastHeard = start.Now;
        LastProgress = start.Now;
        _process = process;
        _launcher = launcher;
    }

    public int Serial { get; }

    public string Owner { get; }

    public AgentTypeConfig Type { get; }

    public HostConfig Host { get; }

    /// <summary>The job this agent serves; null for a self-test agent.</summary>
    public JobId? Job { get; }

    public StreamId? Stream { get; }

    public bool IsSelfTest => Job is null;

    public int Pid => _process.Id;

    /// <summary>The most stderr lines kept to say why an agent died.</summary>
    public const int StderrTailLines = 5;

    // Written by the stderr reader, read by the dispatcher when the agent exits.
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _stderrTail = new();

    /// <summary>Keeps <paramref name="line"/> among the last <see cref="StderrTailLines"/> lines of the agent's stderr.</summary>
    public void NoteStderr(string line)
    {
        _stderrTail.Enqueue(line.Length > 500 ? line[..500] + "..." : line);
        while (_stderrTail.Count > StderrTailLines && _stderrTail.TryDequeue(out _))
        {
        }
    }

    /// <summary>The last lines of the agent's stderr, joined with " | "; null when it wrote none.</summary>
    public string? StderrTail() => _stderrTail.IsEmpty ? null : string.Join(" | ", _stderrTail);

    /// <summary>Lines read from the agent so far (its first may be the ssh wrapper's <c>@PID</c>).</summary>
    public long LinesHeard { get; set; }

    /// <summary>The agent's pid on a remote host (from its <c>@PID</c> line), for signals over ssh.</summary>
    public int? RemotePid { get; set; }

    public AgentSpecial Special { get; set; }

    public DateTimeOffset StartedAt { get; }

    public AgentPhase Phase { get; set; } = AgentPhase.Starting;

    public DateTimeOffset LastHeard { get; set; }

    public DateTimeOffset LastProgress { get; set; }

    public DateTimeOffset ChunkStarted { get; set; }

    public bool Suspended { get; set; }

    /// <summary>When SIGTERM was sent; SIGKILL follows after the grace period.</summary>
    public DateTimeOffset? TerminatedAt { get; set; }

    /// <summary>Why the scheduler stopped it, if it did.</summary>
    public string? StopReason { get; set; }

    public long? ByeCode { get; set; }

    public long ItemsProcessed { get; set; }

    public string? Version { get; set; }

    public List<LeasedPart> Chunk { get; } = [];

    /// <summary><c>ITEM</c> lines of the current chunk: outputs that flow to generated jobs.</summary>
    public List<string> Items { get; } = [];

    public int? ExitCode { get; set; }

    public async Task SendAsync(string text, CancellationToken ct)
    {
        try
        {
            await _process.StandardInput.WriteAsync(text.AsMemory(), ct).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The agent died; its exit event follows and re-queues the chunk.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Sends a signal to the agent's process group, locally or over ssh.</summary>
    public void Signal(int signal)
    {
        if (Host.IsLocal)
        {
            Signals.ToGroup(Pid, signal);
            return;
        }

        if (RemotePid is { } remote)
        {
            _launcher.SignalRemote(Host, remote, signal);
        }

        if (signal == Signals.Kill || RemotePid is null && signal == Signals.Term)
        {
            KillLocalProcess();
        }
    }

    public void KillLocalProcess()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
