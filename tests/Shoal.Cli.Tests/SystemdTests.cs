using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// <c>shoal server</c> as a <c>Type=notify</c> service: started by a parent named <c>systemd</c> with a real
/// <c>NOTIFY_SOCKET</c> (what systemd gives a service), it says READY=1 once it listens and STOPPING=1 on SIGTERM, and
/// logs in journald's format.
/// </summary>
public sealed class SystemdTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnderSystemd_TheServerNotifiesReadyAndStopping_AndLogsForJournald()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-systemd-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "scan.conf"), "[default]\nkind = pull\n", Ct);
        var notify = Path.Combine(dir, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(notify));
        // The service manager: a process whose name is "systemd" that starts the server and waits for it.
        var manager = Path.Combine(dir, "systemd");
        File.CreateSymbolicLink(manager, "/bin/bash");
        var psi = new ProcessStartInfo(manager)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = dir,
            Environment = { ["NOTIFY_SOCKET"] = notify },
        };
        foreach (var a in new[] { "-c", "dotnet \"$0\" server --config shoal.conf & echo $! > server.pid; wait $!", Path.Combine(AppContext.BaseDirectory, "shoal.dll") })
        {
            psi.ArgumentList.Add(a);
        }

        using var service = Process.Start(psi)!;
        var stderr = service.StandardError.ReadToEndAsync(Ct);
        try
        {
            (await ReceiveAsync(socket)).ShouldContain("READY=1");
            File.Exists(Path.Combine(dir, ".shoal", "server.url")).ShouldBeTrue("ready is said once the server listens");

            var pid = int.Parse((await File.ReadAllTextAsync(Path.Combine(dir, "server.pid"), Ct)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            using (var term = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(Ct);
            }

            (await ReceiveAsync(socket)).ShouldContain("STOPPING=1");
            await service.WaitForExitAsync(Ct);
            service.ExitCode.ShouldBe(0);
            var log = await stderr;
            log.ShouldMatch(@"(?m)^<6>.*listening on http://");
            log.ShouldNotContain(" info: ");
        }
        finally
        {
            if (!service.HasExited)
            {
                service.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
