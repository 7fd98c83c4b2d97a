using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Shoal.Contracts;
using Shoal.Server.CommandPort;
using Shoal.Server.Hosting;
using Shouldly;

namespace Shoal.Server.Tests.Api;

/// <summary>HTTPS with a configured certificate (<c>[SCHEDULER] tls_cert</c> and <c>tls_key</c>), once, with a self-signed one.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Https_WithASelfSignedCertificate_ServesTheApi()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("shoal-tls-").FullName;
        using var cert = await WriteCertificateAsync(dir, ct);
        await using var server = await TestServer.StartAsync(extraScheduler: Tls, reuseDir: dir);
        var app = server.App;
        app.Url().ShouldStartWith("https://");
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Thumbprint == cert.Thumbprint };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(app.Url()) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", StateFiles.EnsureAdminToken(Path.Combine(dir, ".shoal")));
        (await http.GetFromJsonAsync<HealthResponse>("/health", ShoalJson.Options, ct))!.Status.ShouldBe("ok");
        (await http.GetAsync("/api/v1/streams", ct)).IsSuccessStatusCode.ShouldBeTrue();
        using var plain = new HttpClient();
        await Should.ThrowAsync<HttpRequestException>(() => plain.GetAsync(app.Url() + "/health", ct), "an untrusted certificate is refused by a default client");
    }

    [Fact]
    public async Task TheCommandPort_OffLoopback_TakesTlsClients_AndRefusesClearOnes()
    {
        var ct = TestContext.Current.CancellationToken;
        var lan = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        lan.ShouldNotBeNull("this test needs an IPv4 address off loopback to connect from");
        var dir = Directory.CreateTempSubdirectory("shoal-tls-port-").FullName;
        using var cert = await WriteCertificateAsync(dir, ct);
        await using var server = await TestServer.StartAsync(extraScheduler: "address = 0.0.0.0\n" + Tls, reuseDir: dir);
        var app = server.App;
        var stateDir = Path.Combine(dir, ".shoal");
        var port = await CommandPortAsync(stateDir, ct);
        var token = StateFiles.EnsureAdminToken(stateDir);
        var published = (await File.ReadAllTextAsync(Path.Combine(stateDir, StateFiles.ServerUrlFile), ct)).Trim();
        published.ShouldBe($"https://127.0.0.1:{new Uri(app.Url()).Port}", "a server on every address is reached on loopback by the CLI");

        using (var clear = new TcpClient())
        {
            await clear.ConnectAsync(lan, port, ct);
            var (reader, writer) = Lines(clear.GetStream());
            await writer.WriteLineAsync(token);
            (await reader.ReadLineAsync(ct)).ShouldBe(CommandPortServer.RemoteRefused, "a token in clear from off loopback is refused");
        }

        foreach (var from in new[] { lan, IPAddress.Loopback })
        {
            using var client = new TcpClient();
            await client.ConnectAsync(from, port, ct);
            await using var ssl = new SslStream(client.GetStream(), false, (_, c, _, _) => c?.GetCertHashString() == cert.Thumbprint);
            await ssl.AuthenticateAsClientAsync("127.0.0.1");
            var (reader, writer) = Lines(ssl);
            await writer.WriteLineAsync(token);
            await writer.WriteLineAsync("status");
            (await reader.ReadLineAsync(ct)).ShouldBe("received", $"over TLS from {from}");
            ((await reader.ReadLineAsync(ct)) ?? "").ShouldContain($" port:{new Uri(app.Url()).Port} ", Case.Sensitive, "the port in use, not the configured 0");
        }

        using (var loopback = new TcpClient())
        {
            await loopback.ConnectAsync(IPAddress.Loopback, port, ct);
            var (reader, writer) = Lines(loopback.GetStream());
            await writer.WriteLineAsync(token);
            await writer.WriteLineAsync("status");
            (await reader.ReadLineAsync(ct)).ShouldBe("received", "clear on loopback still works (fo_cli speaks clear)");
        }
    }

    [Fact]
    public async Task TheCommandPortsFirstLineBudget_IncludesTheTlsHandshake()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("shoal-tls-slow-").FullName;
        using var cert = await WriteCertificateAsync(dir, ct);
        await using var server = await TestServer.StartAsync(extraScheduler: Tls, reuseDir: dir);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, await CommandPortAsync(Path.Combine(dir, ".shoal"), ct), ct);
        var connected = System.Diagnostics.Stopwatch.StartNew();
        // A slow client: most of the budget goes before its handshake; then it sends no line.
        await Task.Delay(TimeSpan.FromSeconds(6), ct);
        await using var ssl = new SslStream(client.GetStream(), false, (_, c, _, _) => c?.GetCertHashString() == cert.Thumbprint);
        await ssl.AuthenticateAsClientAsync("127.0.0.1");
        var (reader, _) = Lines(ssl);
        (await reader.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(15), ct)).ShouldStartWith("error: no line for");
        connected.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(12), "10 s from connecting, not 10 s from the handshake");
    }

    private const string Tls = "tls_cert = cert.pem\ntls_key = key.pem";

    /// <summary>The command port the server in <paramref name="stateDir"/> listens on, once it has written it.</summary>
    private static async Task<int> CommandPortAsync(string stateDir, CancellationToken ct)
    {
        var file = Path.Combine(stateDir, "command.port");
        await Poll.UntilAsync(() => File.Exists(file), 10);
        return int.Parse((await File.ReadAllTextAsync(file, ct)).Trim(), CultureInfo.InvariantCulture);
    }

    private static (StreamReader Reader, StreamWriter Writer) Lines(Stream stream) =>
        (new StreamReader(stream, leaveOpen: true), new StreamWriter(stream, leaveOpen: true) { AutoFlush = true, NewLine = "\n" });

    /// <summary>A self-signed certificate for 127.0.0.1 written as <c>cert.pem</c> and <c>key.pem</c> in <paramref name="dir"/>.</summary>
    private static async Task<X509Certificate2> WriteCertificateAsync(string dir, CancellationToken ct)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllTextAsync(Path.Combine(dir, "cert.pem"), cert.ExportCertificatePem(), ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "key.pem"), key.ExportPkcs8PrivateKeyPem(), ct);
        return cert;
    }
}
