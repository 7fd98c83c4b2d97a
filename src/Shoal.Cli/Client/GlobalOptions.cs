namespace Shoal.Cli.Client;

/// <summary>Options every client command takes.</summary>
internal sealed record GlobalOptions(string? Server, string? TokenFile, string? StateDir, bool Json);
