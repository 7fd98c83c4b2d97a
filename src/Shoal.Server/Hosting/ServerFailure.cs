using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Shoal.Server.Hosting;

/// <summary>
/// Why a server stopped that did not stop by request: it could not publish its address, or one of its background
/// services failed. <c>shoal server</c> then exits 1 with the reason, so that a supervisor sees a failure, not a clean stop.
/// </summary>
public sealed class ServerFailure
{
    private List<BackgroundService> _services = [];

    public string? Reason { get; private set; }

    /// <summary>Records the first failure.</summary>
    public void Set(string reason) => Reason ??= reason;

    /// <summary>Remembers the background services of <paramref name="services"/> (call before running: they are disposed after).</summary>
    public void Watch(IServiceProvider services) => _services = services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();

    /// <summary>After the host stopped: the recorded failure, or the first background service that failed.</summary>
    public string? Check()
    {
        if (Reason is not null)
        {
            return Reason;
        }

        var failed = _services.FirstOrDefault(s => s.ExecuteTask?.IsFaulted == true);
        return failed is null ? null : $"{failed.GetType().Name} failed: {failed.ExecuteTask!.Exception!.GetBaseException().Message}";
    }
}
