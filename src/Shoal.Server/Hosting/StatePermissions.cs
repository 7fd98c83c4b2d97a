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

    public static void Restrict(params string[] folders)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var folder in folders.Distinct(StringComparer.Ordinal))
        {
            Directory.CreateDirectory(folder);
            Narrow(folder);
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
