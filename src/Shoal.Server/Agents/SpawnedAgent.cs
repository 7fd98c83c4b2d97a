using System.Diagnostics;
using Shoal.Core.Config;
using Shoal.Storage;

namespace Shoal.Server.Agents;

/// <summary>
/// One agent process the scheduler started. Its reader tasks only post events; all decisions
/// are made by the dispatcher loop, which alone touches the fields below.
/// </summary>
internal sealed class SpawnedAgent : IAsyncDisposable
{
    private readonly Process _process;

    public SpawnedAgent(int serial, string owner, AgentTypeConfig type, HostConfig host, Process process, DateTimeOffset started)
    {
        Serial = serial;
        Owner = owner;
        Type = type;
        Host = host;
        _process = process;
        StartedAt = started;
        LastHeard = started;
    }

    public int Serial { get; }

    public string Owner { get; }

    public AgentTypeConfig Type { get; }

    public HostConfig Host { get; }

    public int Pid => _process.Id;

    public DateTimeOffset StartedAt { get; }

    public AgentPhase Phase { get; set; } = AgentPhase.Starting;

    public DateTimeOffset LastHeard { get; set; }

    public DateTimeOffset ChunkStarted { get; set; }

    public long? ByeCode { get; set; }

    public long ItemsProcessed { get; set; }

    public string? Version { get; set; }

    public List<LeasedPart> Chunk { get; } = [];

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
            // The agent died; its exit event will follow and requeue the chunk.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Kill()
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
