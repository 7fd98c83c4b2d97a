using System.Diagnostics;
using System.Globalization;

namespace Shoal.Bench;

/// <summary>A real <c>shoal server</c> process in a folder of its own (SQLite, synchronous=FULL) on a free port, for the load benchmarks.</summary>
internal sealed class BenchServer : IDisposable
{
    private BenchServer(Process process, string dir, int port)
    {
        Process = process;
        State = Path.Combine(dir, ".shoal");
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    public Process Process { get; }

    public string State { get; }

    public Uri Url { get; }

    public string AdminToken => File.ReadAllText(Path.Combine(State, "admin.token")).Trim();

    public int CommandPort => int.Parse(File.ReadAllText(Path.Combine(State, "command.port")), CultureInfo.InvariantCulture);

    /// <summary>Starts the server with one pull type <c>noop</c>; null (and a message) when it exits before it listens.</summary>
    public static async Task<BenchServer?> StartAsync(string shoalDll, string extraScheduler = "", string postgres = "")
    {
        var dir = Directory.CreateTempSubdirectory("shoal-bench-load-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), $"[SCHEDULER]\nport = {port}\ncommand_port = 0\n{extraScheduler}\n[STORE]\nsynchronous = full\n{(postgres.Length > 0 ? $"postgres = {postgres}\n" : "")}");
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "noop.conf"), "[default]\nkind = pull\nlease = 60\nmax = -1\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "held.conf"), "[default]\nkind = pull\nlease = 60\nmax = -1\n");
        var process = Process.Start(new ProcessStartInfo("dotnet", [Path.GetFullPath(shoalDll), "server", "--config", "shoal.conf"])
        {
            WorkingDirectory = dir,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new BenchServer(process, dir, port);
        while (!File.Exists(Path.Combine(server.State, "server.url")) || !File.Exists(Path.Combine(server.State, "command.port")))
        {
            if (process.HasExited)
            {
                Console.Error.WriteLine($"the server exited with {process.ExitCode} (is {shoalDll} built? dotnet build -c Release src/Shoal.Cli)");
                return null;
            }

            await Task.Delay(100);
        }

        return server;
    }

    /// <summary>User + system CPU seconds of the server (Linux <c>/proc/PID/stat</c>, clock ticks of 1/100 s).</summary>
    public double CpuSeconds() => UserSeconds() + SystemSeconds();

    /// <summary>The server's CPU seconds in its own code (user).</summary>
    public double UserSeconds() => Stat(11);

    /// <summary>The server's CPU seconds in the kernel for it (system: syscalls, fsync, the network).</summary>
    public double SystemSeconds() => Stat(12);

    private double Stat(int field) =>
        long.Parse(File.ReadAllText($"/proc/{Process.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[field], CultureInfo.InvariantCulture) / 100.0;

    public long RssBytes()
    {
        var line = File.ReadLines($"/proc/{Process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
