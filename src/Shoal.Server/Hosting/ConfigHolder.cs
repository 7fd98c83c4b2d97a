using Shoal.Core.Config;

namespace Shoal.Server.Hosting;

/// <summary>The configuration in force; a reload swaps it whole, so readers never see half of one.</summary>
internal sealed class ConfigHolder(ShoalConfig initial)
{
    private volatile ShoalConfig _current = initial;

    public ShoalConfig Current => _current;

    public void Replace(ShoalConfig next) => _current = next;
}
