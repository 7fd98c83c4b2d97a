using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shoal.Server.Tests;

/// <summary>
/// A real sshd on 127.0.0.1 (a free port) standing in for a remote host, with its own host key and a
/// client key authorised for the current user. Skipped where sshd is not installed, but never in CI.
/// </summary>
internal sealed class SshHost : IAsyncDisposable
{
    private readonly Process _sshd;

    private SshHost(Process sshd, string dir, int port)
    {
        _sshd = sshd;
        Dir = dir;
        Port = port;
    }

    public string Dir { get; }

    public int Port { get; }

    public string KeyFile => Path.Combine(Dir, "client_key");

    /// <summary>The <c>[SSH]</c> section that reaches this host.</summary>
    public string SshSection => $"""
        [SSH]
        options = -p {Port} -i {KeyFile} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
        """;

    public static async Task<SshHost> StartAsync()
    {
        const string sshd = "/usr/sbin/sshd";
        if (!File.Exists(sshd))
        {
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
            {
                throw new InvalidOperationException("sshd is not installed; .ci/run must install openssh-server");
            }

            Assert.Skip("sshd is not installed (apt-get install openssh-server)");
        }

        var dir = Directory.CreateTempSubdirectory("shoal-sshd-").FullName;
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "host_key"));
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "client_key"));
        File.Copy(Path.Combine(dir, "client_key.pub"), Path.Combine(dir, "authorized_keys"));
        Directory.CreateDirectory("/run/sshd");
        var port = FreePort();
        File.WriteAllText(Path.Combine(dir, "sshd_config"), $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {dir}/host_key
            AuthorizedKeysFile {dir}/authorized_keys
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            PidFile {dir}/sshd.pid
            """);
        var psi = new ProcessStartInfo(sshd, ["-D", "-e", "-f", Path.Combine(dir, "sshd_config")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(psi)!;
        _ = process.StandardError.ReadToEndAsync();
        var host = new SshHost(process, dir, port);
        for (var i = 0; i < 100; i++)
        {
            if (Probe(host))
            {
                return host;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        await host.DisposeAsync();
        throw new InvalidOperationException("sshd did not accept a login on 127.0.0.1:" + port);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            _sshd.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        _sshd.Dispose();
        return ValueTask.CompletedTask;
    }

    private static bool Probe(SshHost host)
    {
        using var p = Process.Start(new ProcessStartInfo("ssh", [
            "-p", host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", host.KeyFile,
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "127.0.0.1", "true"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    private static void Run(string program, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(program, args) { UseShellExecute = false, RedirectStandardOutput = true })!;
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed with {p.ExitCode}");
        }
    }
}
