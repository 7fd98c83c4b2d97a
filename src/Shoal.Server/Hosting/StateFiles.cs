using System.Security.Cryptography;

namespace Shoal.Server.Hosting;

/// <summary>Files in the state folder: the admin token (mode 0600) and the URL the server listens on.</summary>
public static class StateFiles
{
    public const string AdminTokenFile = "admin.token";
    public const string ServerUrlFile = "server.url";

    /// <summary>The shortest token accepted anywhere (REST, the command port, the admin token file); made ones are longer.</summary>
    public const int MinTokenLength = 16;

    /// <summary>Reads the admin token, creating a new random one (256 bits) on first start.</summary>
    public static string EnsureAdminToken(string stateDir)
    {
        Directory.CreateDirectory(stateDir);
        var path = Path.Combine(stateDir, AdminTokenFile);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            return existing.Length >= MinTokenLength
                ? existing
                : throw new InvalidOperationException(
                    $"{path}: the admin token is empty or shorter than {MinTokenLength} characters; delete the file to have a new one made at start, or write a longer one");
        }

        var token = "shoal_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(token);
        }

        return token;
    }

    /// <summary>Writes the URL atomically (write, then rename), so a reader never sees a half-written file.</summary>
    /// <summary>
    /// The URL a client on this host uses: a server listening on every address (<c>0.0.0.0</c>, <c>[::]</c>) is
    /// reached on loopback (a wildcard address is no destination).
    /// </summary>
    public static string LocalUrl(string url) =>
        url.Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://[::]:", "://[::1]:", StringComparison.Ordinal);

    public static void WriteServerUrl(string stateDir, string url) => WriteAtomically(Path.Combine(stateDir, ServerUrlFile), url + "\n");

    /// <summary>
    /// Writes a state file (mode 0600 whatever the umask: the CLI sends the admin token to the URL it names) to a
    /// temporary file first, then renames it over <paramref name="path"/>.
    /// </summary>
    public static void WriteAtomically(string path, string text)
    {
        File.Delete(path + ".tmp");
        using (var stream = new FileStream(path + ".tmp", new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }

        File.Move(path + ".tmp", path, overwrite: true);
    }
}
