using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Shoal.Contracts;
using Shoal.Core.Config;
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
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllTextAsync(Path.Combine(dir, "cert.pem"), cert.ExportCertificatePem(), ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "key.pem"), key.ExportPkcs8PrivateKeyPem(), ct);
        var conf = TestServer.WriteConfig(dir, new Dictionary<string, string> { ["scan"] = TestServer.NoopConf() }, "tls_cert = cert.pem\ntls_key = key.pem");
        var config = ConfigLoader.Load(conf);
        var app = await ShoalServer.BuildAsync(config, ct, minLevel: Microsoft.Extensions.Logging.LogLevel.Warning);
        await app.StartAsync(ct);
        try
        {
            app.Url().ShouldStartWith("https://");
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Thumbprint == cert.Thumbprint };
            using var http = new HttpClient(handler) { BaseAddress = new Uri(app.Url()) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", StateFiles.EnsureAdminToken(config.StateDir));
            (await http.GetFromJsonAsync<HealthResponse>("/health", ShoalJson.Options, ct))!.Status.ShouldBe("ok");
            (await http.GetAsync("/api/v1/streams", ct)).IsSuccessStatusCode.ShouldBeTrue();
            using var plain = new HttpClient();
            await Should.ThrowAsync<HttpRequestException>(() => plain.GetAsync(app.Url() + "/health", ct), "an untrusted certificate is refused by a default client");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }
}
