using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage;

/// <summary>Recurring schedules. A role of <see cref="IShoalStore"/>.</summary>
public interface IScheduleStore
{
    /// <summary>Adds a schedule; false when the name is taken.</summary>
    Task<bool> AddScheduleAsync(ScheduleRecord schedule, CancellationToken ct);

    Task<IReadOnlyList<ScheduleRecord>> ListSchedulesAsync(CancellationToken ct);

    Task<bool> RemoveScheduleAsync(string name, CancellationToken ct);

    Task<bool> SetSchedulePausedAsync(string name, bool paused, CancellationToken ct);

    /// <summary>Records a firing (or a skipped one): the stream submitted, if any, and the next time.</summary>
    Task RecordScheduleRunAsync(string name, DateTimeOffset at, StreamId? stream, DateTimeOffset nextAt, CancellationToken ct);
}
