using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Bench;

/// <summary>
/// A hostile network against one <c>shoal server</c> process: <c>connections</c> idle TCP connections on the REST port
/// (half a request line each, then silence), as many on the command port (nothing sent), and <c>slowloris</c> clients
/// that send one header byte every 2 s. Meanwhile <c>/health</c> (a new connection each time) and the command port's
/// <c>status</c> (a new, authenticated connection each time) are timed every 200 ms. Reports the probe latencies, the
/// server's peak memory, whether it stayed alive, and how many hostile connections it closed by itself.
/// </summary>
internal static class HostileBench
{
    public static async Task<int> RunAsync(string shoalDll, int connections, int slowloris, int seconds)
    {
        using var bench = await BenchServer.StartAsync(shoalDll);
        if (bench is null)
        {
            return 2;
        }

        // The probes run once before the attack: the first request of this process pays for its own JIT (about 250 ms
        // of HttpClient alone), which is the benchmark's cost, not the server's.
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = bench.Url, Timeout = TimeSpan.FromSeconds(10) };
        (await http.GetAsync("/health")).EnsureSuccessStatusCode();
        await StatusAsync(bench);
        var hostile = new List<TcpClient>();
        var opened = 0;
        var refused = 0;
        for (var i = 0; i < connections; i++)
        {
            foreach (var port in new[] { bench.Url.Port, bench.CommandPort })
            {
                var client = new TcpClient();
                try
                {
                    await client.ConnectAsync("127.0.0.1", port);
                    if (port == bench.Url.Port)
                    {
                        await client.GetStream().WriteAsync("GET /health HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
                    }

                    hostile.Add(client);
                    opened++;
                }
                catch (SocketException)
                {
                    refused++;
                    client.Dispose();
                }
            }
        }

        using var stop = new CancellationTokenSource();
        var slow = Enumerable.Range(0, slowloris).Select(_ => Task.Run(() => SlowlorisAsync(bench.Url.Port, stop.Token))).ToList();
        var health = new List<double>();
        var status = new List<double>();
        var failures = 0;
        var peakRss = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds) && !bench.Process.HasExited)
        {
            var t = Stopwatch.StartNew();
            try
            {
                (await http.GetAsync("/health")).EnsureSuccessStatusCode();
                health.Add(t.Elapsed.TotalMilliseconds);
                if (t.Elapsed.TotalMilliseconds >= 50)
                {
                    Console.WriteLine($"  slow /health at {clock.Elapsed.TotalSeconds:0.0} s: {t.Elapsed.TotalMilliseconds:0} ms");
                }

                t.Restart();
                status.Add(await StatusAsync(bench) ? t.Elapsed.TotalMilliseconds : double.MaxValue);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or TaskCanceledException)
            {
                failures++;
            }

            peakRss = Math.Max(peakRss, bench.RssBytes());
            await Task.Delay(200);
        }

        var closedByServer = hostile.Count(c => IsClosed(c));
        await stop.CancelAsync();
        await Task.WhenAll(slow);
        var alive = !bench.Process.HasExited;
        hostile.ForEach(c => c.Dispose());
        health.Sort();
        status.Sort();
        Console.WriteLine($"{connections} idle connections on the REST port and {connections} on the command port ({opened} opened, {refused} refused), {slowloris} slowloris clients, {seconds} s");
        Console.WriteLine($"  server alive: {alive}; peak RSS {peakRss / (1024 * 1024)} MiB; hostile connections closed by the server by the end: {closedByServer} of {hostile.Count}");
        Console.WriteLine($"  /health: p50 {BenchServer.Pct(health, 0.5):0.0} ms, p99 {BenchServer.Pct(health, 0.99):0.0} ms, max {health.LastOrDefault():0.0} ms ({health.Count} probes)");
        Console.WriteLine($"  command port status (new connection each): p50 {BenchServer.Pct(status, 0.5):0.0} ms, p99 {BenchServer.Pct(status, 0.99):0.0} ms, max {status.LastOrDefault():0.0} ms ({status.Count} probes); {failures} probes failed");
        return alive && failures == 0 && health.LastOrDefault() < 100 && status.LastOrDefault() < 100 ? 0 : 1;
    }

    /// <summary>Opens the command port, authenticates, asks <c>status</c>; false when the port refused it.</summary>
    private static async Task<bool> StatusAsync(BenchServer bench)
    {
        using var port = new TcpClient();
        await port.ConnectAsync("127.0.0.1", bench.CommandPort);
        var stream = port.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        await writer.WriteLineAsync(bench.AdminToken);
        await writer.WriteLineAsync("status");
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line == "end")
            {
                return true;
            }

            if (line.StartsWith("error:", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>One header byte every 2 s, on a new connection whenever the server closes the last one.</summary>
    private static async Task SlowlorisAsync(int port, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, stop);
                var stream = client.GetStream();
                await stream.WriteAsync("GET /health HTTP/1.1\r\n"u8.ToArray(), stop);
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(2000, stop);
                    await stream.WriteAsync("X"u8.ToArray(), stop);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // Closed by the server (or the run ended): open another.
            }
        }
    }

    /// <summary>Whether the server closed the connection (what it sent first, a 408 or an error line, is read and dropped).</summary>
    private static bool IsClosed(TcpClient client)
    {
        try
        {
            var buffer = new byte[4096];
            while (client.Client.Poll(0, SelectMode.SelectRead))
            {
                if (client.Client.Available == 0 || client.Client.Receive(buffer) == 0)
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }
}
