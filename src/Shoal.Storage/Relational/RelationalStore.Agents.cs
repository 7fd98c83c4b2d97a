using static Shoal.Storage.Relational.StateSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task RecordAgentsSeenAsync(IReadOnlyList<AgentSeen> seen, string server, CancellationToken ct) =>
        seen.Count == 0
            ? Task.CompletedTask
            : WriteAsync(tx =>
            {
                // A later call wins, whichever server heard it: the clocks of a cluster's servers are the database's.
                foreach (var s in seen)
                {
                    tx.Exec(
                        """
                        INSERT INTO pull_agents (owner, last_seen, server) VALUES (@owner, @seen, @server)
                        ON CONFLICT (owner) DO UPDATE SET
                            server = CASE WHEN excluded.last_seen > pull_agents.last_seen THEN excluded.server ELSE pull_agents.server END,
                            last_seen = CASE WHEN excluded.last_seen > pull_agents.last_seen THEN excluded.last_seen ELSE pull_agents.last_seen END
                        """,
                        ("@owner", s.Owner), ("@seen", Ms(s.At)), ("@server", server));
                }

                return 0;
            }, ct);

    public Task<IReadOnlyList<AgentSeen>> ListAgentsSeenAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<AgentSeen>>(
            tx => tx.Query("SELECT owner, last_seen FROM pull_agents ORDER BY owner", r => new AgentSeen(r.GetString(0), FromMs(r.GetValue(1))!.Value)), ct);

    public Task<IReadOnlyList<string>> ReleaseLostAgentsAsync(DateTimeOffset silentSince, string why, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync<IReadOnlyList<string>>(tx =>
        {
            // One locked read of every part the lost agents hold, one pass of the transitions: parts, then their jobs, in order.
            var held = new List<(HeldPart Part, bool Sweep)>();
            var owners = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (part, owner, sweep) in tx.Query(
                $"""
                SELECT id, job_id, attempt, lease_no, owner, EXISTS (SELECT 1 FROM jobs j WHERE j.id = parts.job_id AND j.type = @sweep) FROM parts
                WHERE state = {PartLeased} AND owner IN (SELECT owner FROM pull_agents WHERE last_seen < @since) ORDER BY id {tx.Sql.LockRows}
                """,
                r => (Held(r), r.GetString(4), r.GetBoolean(5)),
                ("@since", Ms(silentSince)),
                ("@sweep", Core.Config.BuiltInTypes.Sweep)))
            {
                held.Add((part, sweep));
                owners.Add(owner);
            }

            // A sweep's host goes back to its zone's queue untried: a lost collector node says nothing of the host (and a
            // sweep retries no host). Any other part counts a failed try, as when its lease runs out.
            var steps = new Transitions(tx, Ms(now));
            var jobs = steps.LockJobs(held.Select(h => h.Part.Job));
            foreach (var (part, sweep) in held)
            {
                _ = sweep ? steps.GiveBack(part) : steps.FailTry(part, jobs[part.Job], reported: false, why);
            }

            steps.Flush();
            return owners.ToList();
        }, ct);
}
