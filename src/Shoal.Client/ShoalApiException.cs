using Shoal.Contracts;

namespace Shoal.Client;

/// <summary>
/// The server answered with an error: <see cref="Status"/> is its HTTP status (400 a refused stream, 401/403 the token,
/// 404 an unknown id, 409 a state that does not allow it, 413 too large, 503 the store is down), <see cref="Problem"/>
/// its problem details, and the message reads <c>404 Not Found: no stream 7</c>.
/// </summary>
public class ShoalApiException : Exception
{
    /// <summary>An error answer: its status, reason phrase and problem details.</summary>
    public ShoalApiException(int status, string? reason, ProblemDto? problem)
        : base($"{status} {problem?.Title ?? reason}: {problem?.Detail}")
    {
        Status = status;
        Problem = problem;
    }

    /// <summary>See <see cref="Exception"/>.</summary>
    public ShoalApiException()
    {
    }

    /// <summary>See <see cref="Exception"/>.</summary>
    public ShoalApiException(string message)
        : base(message)
    {
    }

    /// <summary>See <see cref="Exception"/>.</summary>
    public ShoalApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; }

    /// <summary>The server's problem details, when it sent them.</summary>
    public ProblemDto? Problem { get; }
}

/// <summary>The server could not be reached (refused, reset, name not found, timed out).</summary>
public sealed class ShoalConnectionException : Exception
{
    /// <summary>See <see cref="Exception"/>.</summary>
    public ShoalConnectionException()
    {
    }

    /// <summary>See <see cref="Exception"/>.</summary>
    public ShoalConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>See <see cref="Exception"/>.</summary>
    public ShoalConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
