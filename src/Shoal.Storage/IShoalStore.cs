using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage;

/// <summary>
/// The store is the truth: every state change of streams, jobs and parts is one transaction here.
/// Implemented by SQLite (embedded) and PostgreSQL (several servers on one queue), both a <c>RelationalStore</c>; both
/// run the same contract tests. The server's components each get only their role (<see cref="IWorkStore"/> the work
/// broker alone, <see cref="IQueueStore"/>, <see cref="ISweepStore"/>, <see cref="IScheduleStore"/>,
/// <see cref="ITokenStore"/>): the compiler keeps the lease path in one place. The whole store is for start-up, the
/// contract tests and the benchmarks.
/// </summary>
public interface IShoalStore : IQueueStore, IWorkStore, ISweepStore, IScheduleStore, ITokenStore, IAsyncDisposable
{
    Task MigrateAsync(CancellationToken ct);
}
