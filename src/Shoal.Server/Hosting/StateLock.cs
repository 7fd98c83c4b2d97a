namespace Shoal.Server.Hosting;

/// <summary>
/// One server per state folder: <c>&lt;state&gt;/server.lock</c> held open (its holder's pid in <c>server.pid</c>) with an exclusive lock (flock) for the
/// server's life, and released by the kernel however it ends (kill -9 too). A second server on the same folder would
/// share its SQLite file as a second writer and overwrite <c>server.url</c>; it stops at once, saying who holds it.
/// </summary>
internal sealed class StateLock : IDisposable
{
    private readonly FileStream _file;

    private StateLock(FileStream file) => _file = file;

    public static StateLock Take(string stateDir)
    {
        var path = Path.Combine(stateDir, "server.lock");
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException)
        {
            var holder = ReadHolder(Path.Combine(stateDir, "server.pid"));
            throw new InvalidOperationException(
                $"another Shoal server{holder} uses the state folder {stateDir}; stop it first, or give this one its own [DIRECTORIES] state");
        }

        // Who holds it, for the next one to name: beside the lock, which nobody else may open while it is held.
        StateFiles.WriteAtomically(Path.Combine(stateDir, "server.pid"), $"{Environment.ProcessId}\n");
        return new StateLock(file);
    }

    public void Dispose() => _file.Dispose();

    private static string ReadHolder(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), out var n) ? $" (pid {n})" : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
