using System.Collections.Concurrent;
using Shoal.Contracts;
using Shoal.Storage;

namespace Shoal.Server.Broker;

/// <summary>
/// The pull agents this server has heard from, by token: when they first and last called, the types they ask for,
/// and what they reported. Their leases are counted in the store (they may report to any server of a cluster).
/// </summary>
internal sealed class PullAgentRoster(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _agents = new(StringComparer.Ordinal);

    /// <summary>The owner name of a pull agent in leases: its token's id and name.</summary>
    /// <summary>How every pull agent's lease owner starts.</summary>
    public const string OwnerPrefix = "pull:";

    public static string OwnerOf(TokenRecord token) => $"{OwnerPrefix}{token.Id}:{token.Name}";

    /// <summary>An agent's call reached this server (any of the pull endpoints, its token checked).</summary>
    public void Seen(TokenRecord token)
    {
        var now = time.GetUtcNow();
        var entry = _agents.GetOrAdd(OwnerOf(token), _ => new Entry(token, now));
        lock (entry)
        {
            entry.LastSeen = now;
        }
    }

    /// <summary>
    /// The agents heard from since the last call, with when they were last heard: what this server records in the
    /// store, so that the leader of a cluster knows which agents are silent whichever server they call.
    /// </summary>
    public IReadOnlyList<AgentSeen> TakeSeen()
    {
        var list = new List<AgentSeen>();
        foreach (var (owner, e) in _agents)
        {
            lock (e)
            {
                if (e.LastSeen > e.Recorded)
                {
                    e.Recorded = e.LastSeen;
                    list.Add(new AgentSeen(owner, e.LastSeen));
                }
            }
        }

        return list;
    }

    /// <summary>Gives back what <see cref="TakeSeen"/> took when it could not be recorded, to be tried again.</summary>
    public void NotRecorded(IReadOnlyList<AgentSeen> seen)
    {
        foreach (var s in seen)
        {
            if (_agents.TryGetValue(s.Owner, out var e))
            {
                lock (e)
                {
                    e.Recorded = DateTimeOffset.MinValue;
                }
            }
        }
    }

    /// <summary>The types an agent asked to lease.</summary>
    public void Asked(TokenRecord token, IReadOnlyList<string> types)
    {
        if (_agents.TryGetValue(OwnerOf(token), out var entry))
        {
            lock (entry)
            {
                entry.Types = types;
            }
        }
    }

    /// <summary>Counts the reports of pull agents that were taken (accepted, late or not), by the one report path.</summary>
    public void Reported(IReadOnlyList<PartReport> reports, IReadOnlyList<ReportOutcome> outcomes)
    {
        var now = time.GetUtcNow();
        for (var i = 0; i < reports.Count; i++)
        {
            if (outcomes[i] is not (ReportOutcome.Accepted or ReportOutcome.AcceptedLate) || !_agents.TryGetValue(reports[i].Owner, out var entry))
            {
                continue;
            }

            lock (entry)
            {
                if (reports[i].Outcome == PartOutcome.Ok)
                {
                    entry.Done++;
                }
                else
                {
                    entry.Failed++;
                }

                entry.Recent.Enqueue(now);
                while (entry.Recent.Count > 100_000 || (entry.Recent.TryPeek(out var t) && now - t > TimeSpan.FromMinutes(1)))
                {
                    entry.Recent.Dequeue();
                }
            }
        }
    }

    /// <summary>The agents not lost whose last lease request asked for <paramref name="type"/>, with their tags.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<string> Tags)> AskingFor(string type, TimeSpan lostAfter)
    {
        var now = time.GetUtcNow();
        var list = new List<(string, IReadOnlyList<string>)>();
        foreach (var e in _agents.Values)
        {
            lock (e)
            {
                if (now - e.LastSeen <= lostAfter && e.Types.Contains(type))
                {
                    list.Add((e.Token.Name, e.Token.Tags));
                }
            }
        }

        return list;
    }

    /// <summary>The agents heard from, with their leases (by owner, from the store), newest call first.</summary>
    /// <remarks>An agent that called another server of the cluster since is not lost: <paramref name="seen"/> is when any server last heard from each.</remarks>
    public IReadOnlyList<PullAgentDto> Snapshot(IReadOnlyDictionary<string, int> leases, IReadOnlyDictionary<string, DateTimeOffset> seen, TimeSpan lostAfter, string server)
    {
        var now = time.GetUtcNow();
        var list = new List<PullAgentDto>();
        foreach (var (owner, e) in _agents)
        {
            lock (e)
            {
                var held = leases.GetValueOrDefault(owner);
                var last = seen.TryGetValue(owner, out var elsewhere) && elsewhere > e.LastSeen ? elsewhere : e.LastSeen;
                var state = now - last > lostAfter ? "lost" : held > 0 ? "busy" : "idle";
                var rate = e.Recent.Count(t => now - t <= TimeSpan.FromMinutes(1));
                list.Add(new PullAgentDto(e.Token.Name, e.Token.Id, e.Token.Tags, e.Types, state, e.FirstSeen, last, held, e.Done, e.Failed, rate, server));
            }
        }

        return list.OrderByDescending(a => a.LastSeen).ToList();
    }

    private sealed class Entry(TokenRecord token, DateTimeOffset now)
    {
        public TokenRecord Token { get; } = token;

        public DateTimeOffset FirstSeen { get; } = now;

        public DateTimeOffset LastSeen { get; set; } = now;

        public DateTimeOffset Recorded { get; set; } = DateTimeOffset.MinValue;

        public IReadOnlyList<string> Types { get; set; } = [];

        public long Done { get; set; }

        public long Failed { get; set; }

        public Queue<DateTimeOffset> Recent { get; } = new();
    }
}
