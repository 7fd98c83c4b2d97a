using System.Runtime.InteropServices;

namespace Shoal.Server.Spawned;

/// <summary>POSIX signals to process groups (agents run in their own session, so the group id is their pid).</summary>
internal static partial class Signals
{
    public const int Term = 15;
    public const int Kill = 9;
    public const int Stop = 19;
    public const int Cont = 18;

    /// <summary>Signals the whole process group led by <paramref name="pid"/>; false when it is gone.</summary>
    public static bool ToGroup(int pid, int signal) => pid > 1 && NativeKill(-pid, signal) == 0;

    public static string Name(int signal) => signal switch
    {
        1 => "HUP",
        2 => "INT",
        3 => "QUIT",
        4 => "ILL",
        6 => "ABRT",
        7 => "BUS",
        8 => "FPE",
        Kill => "KILL",
        11 => "SEGV",
        13 => "PIPE",
        14 => "ALRM",
        Term => "TERM",
        Stop => "STOP",
        Cont => "CONT",
        _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// An exit status as an operator reads it: <c>code 1</c>, or <c>code 139 (killed by signal 11, SIGSEGV)</c> (.NET
    /// reports a process killed by a signal as 128 + the signal).
    /// </summary>
    public static string DescribeExit(int code) =>
        code is > 128 and < 128 + 65
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"code {code} (killed by signal {code - 128}, SIG{Name(code - 128)})")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"code {code}");

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
