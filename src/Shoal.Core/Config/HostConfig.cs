namespace Shoal.Core.Config;

/// <summary>A machine spawned agents may run on: <c>name = address confdir max</c>.</summary>
public sealed record HostConfig(string Name, string Address, string ConfDir, int Max)
{
    public bool IsLocal => Address is "localhost" or "127.0.0.1" or "::1";
}
