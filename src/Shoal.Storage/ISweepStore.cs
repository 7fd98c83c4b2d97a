using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage;

/// <summary>Sweeps: their streams and records, collectors, check-ins and each host's results. A role of <see cref="IShoalStore"/>.</summary>
public interface ISweepStore
{
    /// <summary>Submits a sweep's stream and records the sweep, in one transaction.</summary>
    Task<StreamCreated> SubmitSweepAsync(StreamSpec spec, Func<StreamCreated, SweepRecord> sweep, DateTimeOffset now, CancellationToken ct);

    Task<SweepRecord?> GetSweepAsync(StreamId stream, CancellationToken ct);

    Task<IReadOnlyList<SweepRecord>> ListSweepsAsync(int limit, CancellationToken ct);

    /// <summary>The collector of a sweep job (null for other jobs).</summary>
    Task<CollectorSpec?> GetCollectorAsync(JobId job, CancellationToken ct);

    /// <summary>The host a sweep part visits, its sweep and the sweep's mode; null for a part of no sweep.</summary>
    Task<SweepPartRecord?> GetSweepPartAsync(PartId part, CancellationToken ct);

    /// <summary>A host reported by itself; <paramref name="payload"/> (JSON) is kept as its result.</summary>
    Task AddCheckinAsync(string host, string? payload, DateTimeOffset now, CancellationToken ct);

    /// <summary>The zone the newest sweep that listed <paramref name="host"/> put it in ('' = the server's own), or null if none did.</summary>
    Task<string?> GetHostZoneAsync(string host, CancellationToken ct);

    Task<IReadOnlyList<HostResultRecord>> GetHostResultsAsync(string host, int limit, CancellationToken ct);

    Task<IReadOnlyDictionary<string, HostFreshness>> GetHostFreshnessAsync(IReadOnlyCollection<string> hosts, CancellationToken ct);
}
