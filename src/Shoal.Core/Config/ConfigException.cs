namespace Shoal.Core.Config;

/// <summary>A configuration file is wrong; the message is <c>file:line: reason</c>.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, int line, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public ConfigException()
    {
        File = "";
        Reason = "";
    }

    public ConfigException(string message)
        : base(message)
    {
        File = "";
        Reason = message;
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "";
        Reason = message;
    }

    public string File { get; }

    public int Line { get; }

    public string Reason { get; }
}
