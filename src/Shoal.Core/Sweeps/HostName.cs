using System.Text.RegularExpressions;

namespace Shoal.Core.Sweeps;

/// <summary>
/// What an inventory may name as a host: a DNS name or an IPv4/IPv6 address (letters, digits, <c>.</c>, <c>-</c>,
/// <c>_</c>, <c>:</c>, <c>%</c> for a zone), never starting with <c>-</c> or <c>.</c> — a host is substituted into
/// collector commands (<c>ssh {host} …</c>), where <c>-oProxyCommand=…</c> would be an option.
/// </summary>
public static partial class HostName
{
    public static string? Problem(string host) =>
        host.Length > 255 ? "is longer than 255 characters"
        : Valid().IsMatch(host) ? null
        : "is not a host name or address (letters, digits, '.', '-', '_', ':'; not starting with '-' or '.')";

    [GeneratedRegex("^[A-Za-z0-9_:][A-Za-z0-9._:%-]*$")]
    private static partial Regex Valid();
}
