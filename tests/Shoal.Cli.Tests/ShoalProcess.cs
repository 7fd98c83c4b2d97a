using System.Diagnostics;
using System.Text;

namespace Shoal.Cli.Tests;

/// <summary>Runs the real <c>shoal</c> program (the built shoal.dll) as a child process.</summary>
internal sealed class ShoalProcess : IAsyncDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private bool _disposed;

    private ShoalProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    public static string RepoRoot { get; } = FindRoot();

    public static ShoalProcess Start(string workDir, IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "shoal.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        return new ShoalProcess(Process.Start(psi)!);
    }

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string workDir, params string[] args)
    {
        await using var p = Start(workDir, null, args);
        await p.Process.WaitForExitAsync(TestContext.Current.CancellationToken);
        p.Process.WaitForExit();
        return (p.Process.ExitCode, p.Stdout, p.Stderr);
    }

    /// <summary>Appends one line; the null that marks the end of the stream is not a line.</summary>
    private static void Append(StringBuilder to, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (to)
        {
            to.AppendLine(line);
        }
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shoal.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Shoal.slnx)");
    }
}

/// <summary>Processes a test starts by name: all killed when the test ends, passed or failed (none left polling a dead server).</summary>
internal sealed class ShoalProcesses : Dictionary<string, ShoalProcess>, IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var process in Values)
        {
            await process.DisposeAsync();
        }
    }
}
