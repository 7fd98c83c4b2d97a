using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Shoal.Storage;

/// <summary>
/// Which host lists a stream may generate its parts from (<c>"generate": {"file": …}</c>): regular files under
/// <c>[DIRECTORIES] inputs</c>, after following a link, of at most <see cref="MaxBytes"/> — never <c>/etc/shadow</c>, a
/// FIFO that blocks every reader, or <c>/dev/zero</c>.
/// </summary>
public static partial class InputFiles
{
    public const long MaxBytes = 256L * 1024 * 1024;

    /// <summary>What is wrong with <paramref name="file"/> as a host list, or null when it may be read.</summary>
    public static string? Problem(string file, string? inputs)
    {
        if (inputs is null)
        {
            return "host lists are off: set [DIRECTORIES] inputs to the folder they are read from";
        }

        if (!File.Exists(file))
        {
            return $"no such file on the server: {file}";
        }

        // Every link on the way is followed (a linked folder inside the inputs folder must not lead out of it).
        var real = RealPath(file);
        var root = Path.TrimEndingDirectorySeparator(RealPath(inputs) ?? Path.GetFullPath(inputs)) + Path.DirectorySeparatorChar;
        if (real is null)
        {
            return $"no such file on the server: {file}";
        }

        if (!real.StartsWith(root, StringComparison.Ordinal))
        {
            return $"{file} is not under the inputs folder {root}";
        }

        if (!IsRegular(real))
        {
            return $"{file} is not a regular file";
        }

        return new FileInfo(real).Length > MaxBytes ? $"{file} is larger than {MaxBytes / (1024 * 1024)} MiB" : null;
    }

    /// <summary>
    /// The file a host list is read from, as the submit checked it: its canonical path (every link resolved), so that a
    /// link put in its place later, or in a folder on its way, no longer leads to it (<see cref="StillAsChecked"/>).
    /// </summary>
    public static string Canonical(string file) => RealPath(file) ?? file;

    /// <summary>
    /// Whether a host list is still what its submit checked when it is opened, later, in the background: the same
    /// canonical path (no link has taken its place), a regular file, at most <see cref="MaxBytes"/>. Else why not.
    /// </summary>
    public static string? StillAsChecked(string canonical)
    {
        if (RealPath(canonical) is not { } real || !File.Exists(real))
        {
            return $"{canonical} is gone";
        }

        if (real != canonical)
        {
            return $"{canonical} now leads to {real} (a link took its place since the submit)";
        }

        if (!IsRegular(real))
        {
            return $"{canonical} is no longer a regular file";
        }

        return new FileInfo(real).Length > MaxBytes ? $"{canonical} is now larger than {MaxBytes / (1024 * 1024)} MiB" : null;
    }

    /// <summary>
    /// The host list's lines, read with the limits a list has whatever the file became after its check: lines of at most
    /// <see cref="MaxLine"/> characters (a longer one is skipped), and no more than <see cref="MaxBytes"/> in all.
    /// </summary>
    public static IEnumerable<string> Lines(string canonical)
    {
        using var reader = new StreamReader(new FileStream(canonical, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024), System.Text.Encoding.UTF8);
        var line = new System.Text.StringBuilder();
        var buffer = new char[16 * 1024];
        long total = 0;
        var skipping = false;
        int read;
        while (total < MaxBytes && (read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += read;
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    if (!skipping)
                    {
                        yield return line.ToString().TrimEnd('\r');
                    }

                    line.Clear();
                    skipping = false;
                }
                else if (!skipping && line.Length < MaxLine)
                {
                    line.Append(c);
                }
                else
                {
                    skipping = true;
                    line.Clear();
                }
            }
        }

        if (!skipping && line.Length > 0 && total < MaxBytes)
        {
            yield return line.ToString().TrimEnd('\r');
        }
    }

    /// <summary>The longest line of a host list (a host name is at most 253 characters; a line may hold a few).</summary>
    public const int MaxLine = 4096;

    /// <summary>Whether <paramref name="path"/> is a regular file (statx: its layout is the same on every architecture).</summary>
    private static bool IsRegular(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        var buffer = new byte[256];
        const int CurrentDirectory = -100;
        const uint TypeField = 0x1;
        if (Statx(CurrentDirectory, path, 0, TypeField, buffer) != 0)
        {
            return false;
        }

        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        return (mode & 0xF000) == 0x8000;
    }

    /// <summary>The canonical path of <paramref name="path"/> with every link resolved (libc realpath), or null.</summary>
    private static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Path.GetFullPath(path);
        }

        var resolved = NativeRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeFree(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr NativeRealPath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void NativeFree(IntPtr pointer);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);
}
