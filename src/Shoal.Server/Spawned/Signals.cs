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
        Term => "TERM",
        Kill => "KILL",
        Stop => "STOP",
        Cont => "CONT",
        _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);
}
