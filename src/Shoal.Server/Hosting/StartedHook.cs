using Microsoft.Extensions.Hosting;

namespace Shoal.Server.Hosting;

/// <summary>
/// The server's "now listening" step (publish <c>server.url</c>, log the address), run once every hosted service has
/// started and before the host says it has started: so systemd's READY=1 (sent when the host has started) comes only
/// when the CLI can find the server.
/// </summary>
internal sealed class StartedHook : IHostedLifecycleService
{
    public Action? OnStarted { get; set; }

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        OnStarted?.Invoke();
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
