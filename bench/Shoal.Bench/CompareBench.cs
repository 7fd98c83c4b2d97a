namespace Shoal.Bench;

/// <summary>
/// One run on one PostgreSQL server: Shoal with each number of servers, then the peers (Hangfire.PostgreSql,
/// Quartz.NET's clustered AdoJobStore) doing the same no-op jobs; prints a markdown table.
/// </summary>
internal static class CompareBench
{
    public static async Task<int> RunAsync(string postgres, string servers, int parts, int agents, int batch, int streams, string peers, int peerJobs, int workers)
    {
        if (postgres.Length == 0)
        {
            Console.Error.WriteLine("cluster: --postgres CONNECTION_STRING (or SHOAL_POSTGRES) is required; scripts/pg-cluster.sh start prints one");
            return 2;
        }

        var rows = new List<(string Name, int Jobs, double Rate)>();
        foreach (var n in servers.Split(',').Select(int.Parse))
        {
            rows.Add(($"Shoal, {n} server(s), {agents} pull agents over REST, batches of {batch}, {streams} stream(s)", parts, await ClusterBench.RunAsync(postgres, n, parts, agents, batch, streams)));
        }

        foreach (var peer in peers.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var rate = peer switch
            {
                "hangfire" => await HangfirePeer.RunAsync(postgres, peerJobs, workers),
                "quartz" => await QuartzPeer.RunAsync(postgres, peerJobs, workers),
                _ => throw new ArgumentException($"unknown peer {peer}"),
            };
            rows.Add((peer == "hangfire" ? $"Hangfire.PostgreSql, {workers} workers" : $"Quartz.NET AdoJobStore (clustered), {workers} threads", peerJobs, rate));
        }

        var shoalOne = rows[0].Rate;
        Console.WriteLine();
        Console.WriteLine("| scheduler (all on the same PostgreSQL) | jobs | end-to-end jobs/s | Shoal (1 server) is |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, jobs, rate) in rows)
        {
            Console.WriteLine($"| {name} | {jobs} | {rate:0} | {(rate > 0 ? $"{shoalOne / rate:0.0}×" : "-")} |");
        }

        return rows.All(r => r.Rate > 0) ? 0 : 1;
    }
}
