namespace Shoal.Core.Config;

/// <summary>A machine spawned agents may run on: <c>name = address confdir max</c>.</summary>
/// <remarks>As in FOSSology, only the address <c>localhost</c> means "this machine"; any other address is reached with ssh.</remarks>
public sealed record HostConfig(string Name, string Address, string ConfDir, int Max)
{
    public bool IsLocal => Address == "localhost";
}
