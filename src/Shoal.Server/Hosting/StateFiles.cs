using System.Security.Cryptography;

namespace Shoal.Server.Hosting;

/// <summary>Files in the state folder: the admin token (mode 0600) and the URL the server listens on.</summary>
public static class StateFiles
{
    public const string AdminTokenFile = "admin.token";
    public const string ServerUrlFile = "server.url";

    /// <summary>Reads the admin token, creating a new random one (256 bits) on first start.</summary>
    public static string EnsureAdminToken(string stateDir)
    {
        Directory.CreateDirectory(stateDir);
        var path = Path.Combine(stateDir, AdminTokenFile);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            return existing.Length >= Api.TokenAuth.MinTokenLength
                ? existing
                : throw new InvalidOperationException(
                    $"{path}: the admin token is empty or shorter than {Api.TokenAuth.MinTokenLength} characters; delete the file to have a new one made at start, or write a longer one");
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
    public static void WriteServerUrl(string stateDir, string url)
    {
        var path = Path.Combine(stateDir, ServerUrlFile);
        File.WriteAllText(path + ".tmp", url + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
