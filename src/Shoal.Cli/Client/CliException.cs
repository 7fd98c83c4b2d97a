using Shoal.Client;

namespace Shoal.Cli.Client;

/// <summary>A failure to report to the user as one line, with the process exit code.</summary>
internal sealed class CliException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The HTTP status when the server refused the request.</summary>
    public int Status { get; init; }

    /// <summary>
    /// The one line and exit code of a failure the user should read: the CLI's own, the server's refusal (exit 1) or no
    /// server answering (exit 3); null for anything else (a bug, shown with its stack).
    /// </summary>
    public static CliException? From(Exception ex) => ex switch
    {
        CliException cli => cli,
        ShoalApiException api => new CliException(api.Message, 1) { Status = api.Status },
        ShoalConnectionException down => new CliException(down.Message, 3),
        _ => null,
    };
}
