namespace Shoal.Core.Config;

/// <summary>Agent types Shoal provides itself.</summary>
public static class BuiltInTypes
{
    /// <summary>A sweep's collector: the server runs the job's own command for each host part.</summary>
    public const string Sweep = "sweep";
}
