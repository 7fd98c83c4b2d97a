using System.Text;

namespace Shoal.Server.Logging;

/// <summary>
/// An append-only text file that rotates by size (<c>f</c> → <c>f.1</c> … <c>f.N</c>); safe to use from many threads.
/// Each line is one open-append-close (so that an outside logrotate that moves the file is followed at once), sized
/// from the open file rather than a separate look at it. A line that cannot be written (a full disk, a folder taken
/// away) is counted in <see cref="Dropped"/> and said once on standard error, never thrown at the scheduler.
/// </summary>
internal sealed class RotatingFile(string path, long maxBytes = 10 * 1024 * 1024, int keep = 5)
{
    private readonly Lock _gate = new();
    private long _dropped;
    private bool _folderMade;

    public string Path { get; } = path;

    /// <summary>Lines lost to write errors since the start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Append(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_gate)
        {
            try
            {
                MakeFolder();
                var file = Open();
                try
                {
                    if (file.Length > 0 && file.Length + bytes.Length > maxBytes)
                    {
                        file.Dispose();
                        Rotate();
                        file = Open();
                    }

                    file.Write(bytes);
                }
                finally
                {
                    file.Dispose();
                }

                if (_dropped > 0)
                {
                    Console.Error.WriteLine($"{Path}: writing again after {_dropped} line(s) were lost");
                    Interlocked.Exchange(ref _dropped, 0);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _folderMade = false;
                if (Interlocked.Increment(ref _dropped) == 1)
                {
                    // A full or vanished log folder must never stop the scheduler; but someone must hear of it.
                    Console.Error.WriteLine($"{Path}: cannot write the log ({ex.Message}); lines are lost until it can");
                }
            }
        }
    }

    // Logs hold payloads and results: only the server's user reads them (0600), whatever the umask.
    private FileStream Open() => new(Path, new FileStreamOptions
    {
        Mode = FileMode.Append,
        Access = FileAccess.Write,
        Share = FileShare.ReadWrite,
        UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
    });

    private void MakeFolder()
    {
        if (_folderMade)
        {
            return;
        }

        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _folderMade = true;
    }

    private void Rotate()
    {
        File.Delete($"{Path}.{keep}");
        for (var i = keep - 1; i >= 1; i--)
        {
            if (File.Exists($"{Path}.{i}"))
            {
                File.Move($"{Path}.{i}", $"{Path}.{i + 1}");
            }
        }

        File.Move(Path, $"{Path}.1");
    }
}
