using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Shoal.Contracts;

namespace Shoal.Bench;

/// <summary>
/// Many long-polling pull agents against one <c>shoal server</c> process: <c>agents</c> concurrent lease
/// requests (real HTTP, one connection each, simulated in this process) wait for work while parts trickle in;
/// meanwhile <c>/health</c> and the command port's <c>status</c> are timed every 200 ms. Reports the server
/// process's CPU and peak memory, the agents' throughput, and the probe latencies.
/// </summary>
internal static class LoadBench
{
    public static async Task<int> RunAsync(string shoalDll, int agents, int seconds, int rate, int backlog)
    {
        using var bench = await BenchServer.StartAsync(shoalDll);
        if (bench is null)
        {
            return 2;
        }

        var server = bench.Process;
        var state = bench.State;
        var url = bench.Url;
        var adminToken = (await File.ReadAllTextAsync(Path.Combine(state, "admin.token"))).Trim();
        using var admin = new HttpClient { BaseAddress = url };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var token = (await (await admin.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", "load"), ShoalJson.Options)).Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options))!.Token;

        var backlogRss = backlog > 0 ? await BacklogAsync(admin, bench, backlog) : 0;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = agents + 16, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(90) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var stop = new CancellationTokenSource();
        var done = 0L;
        var polls = 0L;
        var errors = 0L;

        async Task AgentAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    Interlocked.Increment(ref polls);
                    using var lease = await http.PostAsJsonAsync("/api/v1/lease", new LeaseRequestDto(["noop"], 1, 20), ShoalJson.Options, stop.Token);
                    var parts = (await lease.Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, stop.Token))!.Parts;
                    foreach (var p in parts)
                    {
                        using var r = await http.PostAsJsonAsync($"/api/v1/parts/{p.PartId}/complete", new CompleteRequest(p.LeaseId, "ok"), ShoalJson.Options, stop.Token);
                        Interlocked.Increment(ref done);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                    await Task.Delay(100);
                }
            }
        }

        var cpuBefore = bench.CpuSeconds();
        var clock = Stopwatch.StartNew();
        var running = Enumerable.Range(0, agents).Select(_ => Task.Run(AgentAsync)).ToList();
        await Task.Delay(3000); // every agent is waiting in its long poll

        var health = new List<double>();
        var status = new List<double>();
        using var port2 = new TcpClient();
        await port2.ConnectAsync("127.0.0.1", int.Parse(await File.ReadAllTextAsync(Path.Combine(state, "command.port")), CultureInfo.InvariantCulture));
        var stream = port2.GetStream();
        var reader = new StreamReader(stream, Encoding.UTF8);
        var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        await writer.WriteLineAsync(adminToken);
        var peakRss = 0L;
        var submitted = 0;
        var measureFrom = clock.Elapsed;
        var cpuMeasureFrom = bench.CpuSeconds();
        while (clock.Elapsed - measureFrom < TimeSpan.FromSeconds(seconds))
        {
            // Parts trickle in as single-part streams; each wakes the long polls.
            for (var i = 0; i < rate / 5; i++)
            {
                _ = admin.PostAsync("/api/v1/streams", new StringContent($$"""{"name":"t","jobs":[{"name":"n","type":"noop","parts":["{{submitted++}}"]}]}""", Encoding.UTF8, "application/json"));
            }

            var t = Stopwatch.StartNew();
            (await admin.GetAsync("/health")).EnsureSuccessStatusCode();
            health.Add(t.Elapsed.TotalMilliseconds);
            t.Restart();
            await writer.WriteLineAsync("status");
            while (await reader.ReadLineAsync() is { } line && line != "end")
            {
            }

            status.Add(t.Elapsed.TotalMilliseconds);
            peakRss = Math.Max(peakRss, bench.RssBytes());
            await Task.Delay(200);
        }

        var wall = (clock.Elapsed - measureFrom).TotalSeconds;
        var cpu = bench.CpuSeconds() - cpuMeasureFrom;
        await stop.CancelAsync();
        await Task.WhenAll(running.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        health.Sort();
        status.Sort();
        Console.WriteLine($"{agents} long-polling pull agents (one HTTP connection each) on one server process, {seconds} s, {rate} single-part streams/s");
        if (backlog > 0)
        {
            Console.WriteLine($"  a backlog of {backlog:N0} ready parts no agent takes (type held): server RSS {backlogRss / (1024 * 1024)} MiB with it before the agents came");
        }

        Console.WriteLine($"  server CPU {100 * cpu / wall:0}% of one core, peak RSS {peakRss / (1024 * 1024)} MiB; {done} parts done, {polls} lease requests, {errors} errors");
        Console.WriteLine($"  /health: p50 {BenchServer.Pct(health, 0.5):0.0} ms, p99 {BenchServer.Pct(health, 0.99):0.0} ms, max {health.LastOrDefault():0.0} ms ({health.Count} probes)");
        Console.WriteLine($"  command port status: p50 {BenchServer.Pct(status, 0.5):0.0} ms, p99 {BenchServer.Pct(status, 0.99):0.0} ms, max {status.LastOrDefault():0.0} ms ({status.Count} probes)");
        Console.WriteLine($"  (server CPU before the measured window: {cpuMeasureFrom - cpuBefore:0.0} s for start-up and {agents} connections)");
        return health.LastOrDefault() < 100 && status.LastOrDefault() < 100 ? 0 : 1;
    }

    /// <summary>Submits one job of <paramref name="parts"/> parts of the type <c>held</c> (generated from an address range, as a large scan is), waits until all are written, and returns the server's RSS then.</summary>
    private static async Task<long> BacklogAsync(HttpClient admin, BenchServer bench, int parts)
    {
        var last = new System.Net.IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)(0x0A000000 + parts - 1))));
        var submit = await admin.PostAsync("/api/v1/streams", new StringContent($$$"""{"name":"backlog","jobs":[{"name":"held","type":"held","generate":{"range":"10.0.0.0-{{{last}}}","chunk":1}}]}""", Encoding.UTF8, "application/json"));
        submit.EnsureSuccessStatusCode();
        var job = (await submit.Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options))!.Jobs["held"];
        var clock = Stopwatch.StartNew();
        while ((await admin.GetFromJsonAsync<JobDto>($"/api/v1/jobs/{job}", ShoalJson.Options))!.Parts.Ready < parts)
        {
            await Task.Delay(500);
        }

        Console.WriteLine($"  {parts:N0} ready parts written in {clock.Elapsed.TotalSeconds:0.0} s");
        return bench.RssBytes();
    }
}
