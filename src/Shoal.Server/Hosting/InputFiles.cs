using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Shoal.Server.Hosting;

/// <summary>
/// Which host lists a stream may generate its parts from (<c>"generate": {"file": …}</c>): regular files under
/// <c>[DIRECTORIES] inputs</c>, after following a link, of at most <see cref="MaxBytes"/> — never <c>/etc/shadow</c>, a
/// FIFO that blocks every reader, or <c>/dev/zero</c>.
/// </summary>
internal static partial class InputFiles
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
