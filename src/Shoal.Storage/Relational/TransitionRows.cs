using Shoal.Core.Model;

namespace Shoal.Storage.Relational;

/// <summary>A leased part as a transition read it (locked): the try it ends is <paramref name="LeaseNo"/>'s.</summary>
internal sealed record HeldPart(long Id, long Job, int Attempt, long LeaseNo);

/// <summary>A job's state and failure rules as a transition read them (locked).</summary>
internal sealed record JobFacts(JobState State, int Retries, OnPartFailure Rule, RetryPolicy Retry);

/// <summary>
/// A row a transition had locked and decided on was not as read when written. It cannot happen while every
/// decision reads its rows locked; if it does, the transaction is rolled back and run again.
/// </summary>
public sealed class StoreConflictException(string message) : Exception(message);
