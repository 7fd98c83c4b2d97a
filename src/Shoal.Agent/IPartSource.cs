using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>
/// Where a <see cref="PullAgentRunner"/> gets its parts and sends its reports: the REST API for <c>shoal agent</c>
/// (<see cref="RestPartSource"/>), the server's work broker for the sweeps it runs itself.
/// </summary>
public interface IPartSource
{
    /// <summary>Up to <paramref name="max"/> parts, waiting up to <paramref name="wait"/> for work (none when there is none yet).</summary>
    Task<IReadOnlyList<LeasedPartDto>> LeaseAsync(int max, TimeSpan wait, CancellationToken ct);

    /// <summary>Keeps a running part's lease; true when the part must stop (its job was paused or cancelled: no report).</summary>
    Task<bool> HeartbeatAsync(LeasedPartDto part, CancellationToken ct);

    /// <summary>The part's command has started (or could not start): called once a part, before its report.</summary>
    void Started(LeasedPartDto part);

    /// <summary>
    /// Reports how the part's command ended; <paramref name="aborted"/> when the runner killed it (its run was aborted).
    /// Throws <see cref="HttpRequestException"/> or a <see cref="PullAgentException"/> that is not permanent when the
    /// report should be sent again later.
    /// </summary>
    Task ReportAsync(LeasedPartDto part, CommandResult run, bool aborted, CancellationToken ct);
}
