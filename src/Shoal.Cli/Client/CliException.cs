namespace Shoal.Cli.Client;

/// <summary>A failure to report to the user as one line, with the process exit code.</summary>
internal sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The HTTP status when the server refused the request.</summary>
    public int Status { get; init; }
}
