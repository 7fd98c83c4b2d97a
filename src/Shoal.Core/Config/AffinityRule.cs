namespace Shoal.Core.Config;

/// <summary>
/// <c>[AFFINITY] host[] = TYPES FROM TO</c>: the host owns keys whose first byte lies in FROM..TO (hex)
/// for the listed agent types (<c>*</c> for all), as FOSSology's <c>[REPOSITORY]</c> section does.
/// </summary>
public sealed record AffinityRule(string Host, IReadOnlyList<string>? Types, int From, int To)
{
    public bool AppliesTo(string type) => Types is null || Types.Contains(type);
}
