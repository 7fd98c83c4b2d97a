using System.Text;

namespace Shoal.Server.Logging;

/// <summary>An append-only text file that rotates by size (<c>f</c> → <c>f.1</c> … <c>f.N</c>); safe to use from many threads.</summary>
internal sealed class RotatingFile(string path, long maxBytes = 10 * 1024 * 1024, int keep = 5)
{
    private readonly Lock _gate = new();

    public string Path { get; } = path;

    public void Append(string line)
    {
        lock (_gate)
        {
            try
            {
                var folder = System.IO.Path.GetDirectoryName(Path)!;
                if (!Directory.Exists(folder))
                {
                    if (OperatingSystem.IsWindows())
                    {
                        Directory.CreateDirectory(folder);
                    }
                    else
                    {
                        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    }
                }
                if (File.Exists(Path) && new FileInfo(Path).Length + line.Length > maxBytes)
                {
                    Rotate();
                }

                // Logs hold payloads and results: only the server's user reads them (0600), whatever the umask.
                using var file = new FileStream(Path, new FileStreamOptions
                {
                    Mode = FileMode.Append,
                    Access = FileAccess.Write,
                    Share = FileShare.ReadWrite,
                    UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                file.Write(Encoding.UTF8.GetBytes(line + "\n"));
            }
            catch (IOException)
            {
                // A full or vanished log folder must never stop the scheduler.
            }
        }
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
