using Shoal.Storage;

namespace Shoal.Server.Pull;

/// <summary>
/// One long-polling lease request: look for work, and while there is none sleep in its group's queue of the
/// <see cref="Broker.WorkSignal"/> until woken or the wait runs out. A wake is never lost: a request that was woken and
/// found work wakes two more waiters; one woken while it was leaving (or giving up) hands its wake to the next.
/// </summary>
internal static class LongPoll
{
    public static async Task<IReadOnlyList<LeasedPart>> RunAsync(
        Broker.WorkSignal signal,
        string group,
        Func<Task<IReadOnlyList<LeasedPart>>> lease,
        DateTimeOffset until,
        TimeProvider time,
        CancellationToken stopping,
        CancellationToken ct)
    {
        var woken = false; // the last sleep ended by a wake: this look uses it
        Broker.WorkSignal.Ticket? ticket = null;
        try
        {
            while (true)
            {
                ticket?.Dispose();
                ticket = signal.Enlist(group);
                var parts = await lease().ConfigureAwait(false);
                var left = until - time.GetUtcNow();
                if (parts.Count > 0)
                {
                    if (woken || ticket.WasWoken)
                    {
                        signal.Pass(group, 2); // woken and work was there: there may be more for the others
                    }

                    return parts;
                }

                if (left <= TimeSpan.Zero || stopping.IsCancellationRequested)
                {
                    PassUnused(signal, ticket);
                    return parts;
                }

                // No busy polling: sleep until this request's turn to look again, or the wait runs out. A server
                // shutting down answers its long polls at once (an empty list): it never waits on idle agents.
                using (var sleep = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping))
                {
                    await Task.WhenAny(ticket.Woken.Task, Task.Delay(left, time, sleep.Token)).ConfigureAwait(false);
                }

                ct.ThrowIfCancellationRequested();
                woken = ticket.WasWoken;
            }
        }
        catch (OperationCanceledException) when (ticket is not null)
        {
            // The caller went away: a wake it held (and had not used) goes to the next waiter.
            if (woken || ticket.WasWoken)
            {
                signal.Pass(group, 1);
            }

            throw;
        }
        finally
        {
            ticket?.Dispose();
        }
    }

    private static void PassUnused(Broker.WorkSignal signal, Broker.WorkSignal.Ticket ticket)
    {
        if (ticket.WasWoken)
        {
            signal.Pass(ticket.Group, 1); // woken while looking, leaving without looking again: a waiter looks instead
        }
    }
}
