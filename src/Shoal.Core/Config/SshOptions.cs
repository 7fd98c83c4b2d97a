namespace Shoal.Core.Config;

/// <summary>The <c>[SSH]</c> section: how remote hosts are reached with the system ssh client.</summary>
public sealed record SshOptions
{
    public string Program { get; init; } = "ssh";

    /// <summary>The remote user, unless a host's address says <c>user@host</c>.</summary>
    public string? User { get; init; }

    /// <summary>Extra ssh arguments (split like a shell), e.g. <c>-p 2222 -i /etc/shoal/id_ed25519</c>.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}
