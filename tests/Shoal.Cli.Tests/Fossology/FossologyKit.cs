using System.Diagnostics;
using System.Net.Sockets;

namespace Shoal.Cli.Tests.Fossology;

/// <summary>
/// FOSSology's own code from ../shared/fossology-kit, built into a folder as FOSSology's build lays it out for its
/// functional test: <c>OUT/src/scheduler/agent_tests/gen/agents</c> (fossology.conf, VERSION, mods-enabled/) and
/// <c>OUT/src/scheduler/agent/fo_cli</c>.
/// </summary>
internal sealed class FossologyKit : IDisposable
{
    private FossologyKit(string root, int port)
    {
        Root = root;
        Port = port;
    }

    public static string KitDir => Path.Combine(ShoalProcess.RepoRoot, "..", "shared", "fossology-kit");

    public string Root { get; }

    /// <summary>The command port written into fossology.conf.</summary>
    public int Port { get; }

    public string Agents => Path.Combine(Root, "src", "scheduler", "agent_tests", "gen", "agents");

    public string FoCli => Path.Combine(Root, "src", "scheduler", "agent", "fo_cli");

    /// <summary>Builds the kit into a new temporary folder (about 7 s; .ci/run installs gcc, pkg-config, libglib2.0-dev, libpq-dev).</summary>
    public static async Task<FossologyKit> BuildAsync(CancellationToken ct)
    {
        var root = Directory.CreateTempSubdirectory("fo-kit-").FullName;
        var port = FreePort();
        var psi = new ProcessStartInfo("bash", [Path.Combine(KitDir, "build.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        psi.Environment["OUT"] = root;
        psi.Environment["FO_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var build = Process.Start(psi)!;
        var stderr = build.StandardError.ReadToEndAsync(ct);
        await build.StandardOutput.ReadToEndAsync(ct);
        await build.WaitForExitAsync(ct);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"the kit must build (.ci/run installs gcc, pkg-config, libglib2.0-dev, libpq-dev): {await stderr}");
        }

        return new FossologyKit(root, port);
    }

    /// <summary>Runs fo_cli with the folder's configuration and one flag: its exit code and what it printed.</summary>
    public async Task<(int Code, string Output)> FoCliAsync(string flag, CancellationToken ct)
    {
        using var cli = Process.Start(new ProcessStartInfo(FoCli, ["-c", Agents, flag]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await cli.StandardOutput.ReadToEndAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct);
        await cli.WaitForExitAsync(ct);
        return (cli.ExitCode, output);
    }

    public void Dispose()
    {
        KillLeftOvers();
        Directory.Delete(Root, recursive: true);
    }

    /// <summary>A scheduler or agent of this tree still running (a suite that failed half-way): killed.</summary>
    public void KillLeftOvers()
    {
        foreach (var p in Process.GetProcesses())
        {
            try
            {
                if (File.ReadAllText($"/proc/{p.Id}/cmdline").Contains(Root, StringComparison.Ordinal))
                {
                    p.Kill(entireProcessTree: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already, or not ours.
            }
            finally
            {
                p.Dispose();
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
