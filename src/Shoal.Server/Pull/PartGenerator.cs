using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Server.Broker;
using Shoal.Storage;

namespace Shoal.Server.Pull;

/// <summary>
/// Streams parts of range-generated jobs into the store in batches (a /16 is 65,536 parts), one short
/// transaction each, so that generation never holds the server up and agents start on the first batch.
/// Progress is stored, so a restart carries on where it stopped.
/// </summary>
internal sealed class PartGenerator(IQueueStore store, TimeProvider time, WorkChanged changes, Hosting.ClusterMember cluster, ILogger<PartGenerator> logger) : BackgroundService
{
    public const int BatchSize = 2000;
    private readonly SemaphoreSlim _wake = new(0);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        changes.Raised += OnChanged;
        return base.StartAsync(cancellationToken);
    }

    private void OnChanged(Change change, object? from)
    {
        if (change.HasFlag(Change.Generate))
        {
            _wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // The leader generates, so that two servers never generate the same batch.
                while (cluster.IsLeader && await store.GeneratePartsAsync(BatchSize, time.GetUtcNow(), stoppingToken).ConfigureAwait(false) is not null)
                {
                    changes.Raise(Change.PartsReady, this);
                    await Task.Yield();
                }

                await _wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.GenerateFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    public override void Dispose()
    {
        changes.Raised -= OnChanged;
        _wake.Dispose();
        base.Dispose();
    }
}
