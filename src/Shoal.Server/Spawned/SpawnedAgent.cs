using System.Diagnostics;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Storage;

namespace Shoal.Server.Spawned;

/// <summary>
/// One agent process the scheduler started, for one job (or for a self-test, with no job): the process, what it
/// said on stderr, and its protocol <see cref="Session"/>. Reader tasks only post events; the dispatcher loop alone
/// drives the session.
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
        Specials = new AgentSpecials(start.Type.Special);
        Session = new AgentSession(start.Owner, start.Type, !start.Host.IsLocal, start.Job, start.Now, Specials);
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

    /// <summary>Why its process ended (exit status or signal, and its last stderr lines), once it has.</summary>
    public string? ExitReason { get; set; }

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

    /// <summary>Its special flags, kept and answered by its reader task.</summary>
    public AgentSpecials Specials { get; }

    /// <summary>Where the agent is in the protocol: all its protocol state.</summary>
    public AgentSession Session { get; }

    // The dispatcher (chunks, CLOSE) and the reader (VALUE) both write to the agent: one write at a time.
    private readonly SemaphoreSlim _writing = new(1, 1);

    public async Task SendAsync(string text, CancellationToken ct)
    {
        await _writing.WaitAsync(ct).ConfigureAwait(false);
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
        finally
        {
            _writing.Release();
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

        if (Session.RemotePid is { } remote)
        {
            _launcher.SignalRemote(Host, remote, signal);
        }

        if (signal == Signals.Kill || Session.RemotePid is null && signal == Signals.Term)
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
        _writing.Dispose();
        return ValueTask.CompletedTask;
    }
}
