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
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                if (File.Exists(Path) && new FileInfo(Path).Length + line.Length > maxBytes)
                {
                    Rotate();
                }

                File.AppendAllText(Path, line + "\n", Encoding.UTF8);
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
