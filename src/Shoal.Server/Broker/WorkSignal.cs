namespace Shoal.Server.Broker;

/// <summary>
/// Wakes whoever waits for work the moment work may have appeared (submit, force, resume, expiry, a finished
/// dependency, another server's notification).
/// <list type="bullet">
/// <item>In-process loops (sweep runners) take <see cref="Next"/> before they look for work: every one of them wakes.</item>
/// <item>Long-polling lease requests <see cref="Enlist"/> in a queue per group (the agent types and tags they may
/// lease) before they look for work. A signal wakes only the first <see cref="FirstWake"/> of each group, longest
/// waiting first; a woken request that finds work wakes two more (<see cref="Pass"/>), one that finds none stops the
/// chain. So a submit wakes a handful of 2,000 idle agents, not all of them, and a big submit still reaches every
/// idle agent within a few lease rounds (the chain doubles).</item>
/// </list>
/// A ticket is enlisted before the lease attempt, so a signal that arrives meanwhile is never missed.
/// </summary>
internal sealed class WorkSignal
{
    public const int FirstWake = 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedList<Ticket>> _groups = new(StringComparer.Ordinal);
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Notify"/> (everyone holding it wakes).</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Long polls waiting now, over all groups (for tests and metrics).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _groups.Values.Sum(g => g.Count);
            }
        }
    }

    public void Notify()
    {
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        lock (_gate)
        {
            foreach (var group in _groups.Values)
            {
                WakeLocked(group, FirstWake);
            }
        }
    }

    /// <summary>Queues a long poll of <paramref name="group"/>; dispose the ticket when the request stops waiting.</summary>
    public Ticket Enlist(string group)
    {
        var ticket = new Ticket(this, group);
        lock (_gate)
        {
            if (!_groups.TryGetValue(group, out var queue))
            {
                _groups[group] = queue = new LinkedList<Ticket>();
            }

            ticket.Node = queue.AddLast(ticket);
        }

        return ticket;
    }

    /// <summary>Wakes up to <paramref name="count"/> more waiters of <paramref name="group"/>: work was found there, there may be more.</summary>
    public void Pass(string group, int count)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue(group, out var queue))
            {
                WakeLocked(queue, count);
            }
        }
    }

    private static void WakeLocked(LinkedList<Ticket> queue, int count)
    {
        for (var i = 0; i < count && queue.First is { } first; i++)
        {
            queue.RemoveFirst();
            first.Value.Node = null;
            first.Value.Woken.TrySetResult();
        }
    }

    private void Leave(Ticket ticket)
    {
        lock (_gate)
        {
            if (ticket.Node is { } node && _groups.TryGetValue(ticket.Group, out var queue))
            {
                queue.Remove(node);
                ticket.Node = null;
                if (queue.Count == 0)
                {
                    _groups.Remove(ticket.Group);
                }
            }
        }
    }

    /// <summary>One long poll's place in its group's queue.</summary>
    internal sealed class Ticket(WorkSignal signal, string group) : IDisposable
    {
        public string Group { get; } = group;

        public TaskCompletionSource Woken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool WasWoken => Woken.Task.IsCompleted;

        internal LinkedListNode<Ticket>? Node { get; set; }

        public void Dispose() => signal.Leave(this);
    }
}
