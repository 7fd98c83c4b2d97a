using System.Globalization;

namespace Shoal.Server.Tests;

/// <summary>A process's state letter and process group, from Linux's <c>/proc/PID/stat</c>.</summary>
internal static class ProcStat
{
    /// <summary>S sleeping, T stopped, …</summary>
    public static char State(int pid) => Fields(pid)[0][0];

    public static int Group(int pid) => int.Parse(Fields(pid)[2], CultureInfo.InvariantCulture);

    // The fields after the command name, which is in parentheses and may hold spaces.
    private static string[] Fields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
