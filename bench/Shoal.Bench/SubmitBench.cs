using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Shoal.Bench;

/// <summary>
/// Issue 22's last PostgreSQL target, on either store: the server's CPU time for one REST submit of a one-job stream.
/// A real <c>shoal server</c> process; one client submits <c>count</c> streams one after another (after 200 to warm
/// up); the server's user + system CPU over them, divided by the count, is its time per submit (the client is
/// another process and is not counted). Wall latency per request is printed beside it.
/// </summary>
internal static class SubmitBench
{
    private const string Stream = """{"name":"upload","jobs":[{"name":"scan","type":"held","parts":["files/upload.tar"]}]}""";

    public static async Task<int> RunAsync(string shoalDll, int count, string postgres)
    {
        var stores = new List<(string Name, string Postgres)> { ("SQLite (synchronous=FULL)", "") };
        if (postgres.Length > 0)
        {
            stores.Add(("PostgreSQL", postgres));
        }

        Console.WriteLine($"REST submit of a one-job stream, {count} in a row after 200 to warm up (target: <= 1 ms of server time)");
        Console.WriteLine("| store | server CPU per submit | wall p50 | wall p99 | server CPU per GET of a stream |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, pg) in stores)
        {
            using var bench = await BenchServer.StartAsync(shoalDll, postgres: pg.Length > 0 ? await Postgres.FreshSchemaAsync(pg, "shoal_bench_submit") : "");
            if (bench is null)
            {
                return 2;
            }

            using var http = new HttpClient { BaseAddress = bench.Url };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bench.AdminToken);
            for (var i = 0; i < 200; i++)
            {
                await SubmitAsync(http);
            }

            if (Environment.GetEnvironmentVariable("SHOAL_BENCH_PAUSE") is { Length: > 0 } pause)
            {
                // For a profiler: the server's pid, then a few seconds to attach before the measured submits.
                Console.Error.WriteLine($"server pid {bench.Process.Id}");
                await Task.Delay(TimeSpan.FromSeconds(int.Parse(pause, System.Globalization.CultureInfo.InvariantCulture)));
            }

            var walls = new List<double>(count);
            var cpu = bench.CpuSeconds();
            var kernel = bench.SystemSeconds();
            for (var i = 0; i < count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await SubmitAsync(http);
                walls.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            var perSubmit = (bench.CpuSeconds() - cpu) * 1000 / count;
            var inKernel = (bench.SystemSeconds() - kernel) * 1000 / count;

            // The same number of authenticated reads of one stream: what HTTP, the token and an answer cost by themselves.
            cpu = bench.CpuSeconds();
            for (var i = 0; i < count; i++)
            {
                using var read = await http.GetAsync("/api/v1/streams/1");
                read.EnsureSuccessStatusCode();
            }

            var perRead = (bench.CpuSeconds() - cpu) * 1000 / count;
            walls.Sort();
            Console.WriteLine($"| {name} | {perSubmit:0.00} ms ({(perSubmit <= 1 ? "met" : "not met")}; {inKernel:0.00} in the kernel) | {BenchServer.Pct(walls, 0.5):0.00} ms | {BenchServer.Pct(walls, 0.99):0.00} ms | {perRead:0.00} ms |");
        }

        return 0;
    }

    private static async Task SubmitAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/api/v1/streams", new StringContent(Stream, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }
}
