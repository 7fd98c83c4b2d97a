using System.Security.Cryptography.X509Certificates;

namespace Shoal.Server.Hosting;

/// <summary>The server certificate from <c>[SCHEDULER] tls_cert</c> (PEM with <c>tls_key</c>, or PKCS#12).</summary>
internal static class Tls
{
    public static X509Certificate2 LoadCertificate(string certPath, string? keyPath) =>
        keyPath is not null
            ? X509Certificate2.CreateFromPemFile(certPath, keyPath)
            : X509CertificateLoader.LoadPkcs12FromFile(certPath, password: null);
}
