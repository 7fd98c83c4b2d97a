namespace Shoal.Server.Hosting;

/// <summary>
/// The state folder holds the admin token, the lease secret (in the store) and every payload and result: only the
/// server's user may read it. The state and log folders become 0700 — so nothing in them can be reached by another
/// user, whatever mode a file was created with — and the files in them 0600, at start and again once the store has
/// created its files. The process's umask is left alone: agents the server spawns create their files as the operator
/// set it up.
/// </summary>
internal static class StatePermissions
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Narrows the state folder and all in it; a log folder elsewhere is created 0700, and only Shoal's own files in it
    /// (<c>shoal.log*</c>, <c>jobs/</c>) are narrowed — a <c>logdir = /var/log</c> must not close /var/log to others.
    /// </summary>
    public static void Restrict(string stateDir, string logDir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Directory.CreateDirectory(stateDir);
        Narrow(stateDir);
        var state = Path.TrimEndingDirectorySeparator(Path.GetFullPath(stateDir)) + Path.DirectorySeparatorChar;
        if (Path.GetFullPath(logDir).StartsWith(state, StringComparison.Ordinal))
        {
            return;
        }

        if (!Directory.Exists(logDir))
        {
            Directory.CreateDirectory(logDir, Folder);
        }

        foreach (var log in Directory.EnumerateFiles(logDir, "shoal.log*"))
        {
            System.IO.File.SetUnixFileMode(log, File);
        }

        if (Directory.Exists(Path.Combine(logDir, "jobs")))
        {
            Narrow(Path.Combine(logDir, "jobs"));
        }
    }

    private static void Narrow(string folder)
    {
        System.IO.File.SetUnixFileMode(folder, Folder);
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is null)
            {
                entry.UnixFileMode = entry is DirectoryInfo ? Folder : File;
            }
        }
    }
}
