using System.Collections.Concurrent;
using Shoal.Core.Model;

namespace Shoal.Storage.Tests.Concurrency;

/// <summary>
/// What the independent clients of a conformance round saw, kept as they saw it: every lease granted and every
/// report with the store's answer, each with the global sequence numbers at which the call started and returned.
/// </summary>
internal sealed class Ledger
{
    private long _seq;

    public ConcurrentBag<Grant> Grants { get; } = [];

    public ConcurrentBag<Answer> Answers { get; } = [];

    /// <summary>A number that grows with every call made and every answer received, by any client.</summary>
    public long Tick() => Interlocked.Increment(ref _seq);

    /// <summary>A part leased to <paramref name="Owner"/> by a call that ran from <paramref name="Started"/> to <paramref name="Ended"/>.</summary>
    internal sealed record Grant(LeasedPart Part, string Owner, long Started, long Ended);

    /// <summary>A report and what the store answered.</summary>
    internal sealed record Answer(PartReport Report, ReportOutcome Outcome, long Started, long Ended)
    {
        public bool Counted => Outcome is ReportOutcome.Accepted or ReportOutcome.AcceptedLate;
    }
}
