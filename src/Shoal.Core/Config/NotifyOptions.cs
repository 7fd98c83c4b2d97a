namespace Shoal.Core.Config;

/// <summary>
/// <c>[EMAILNOTIFY]</c> (FOSSology's keys plus SMTP settings) and <c>[NOTIFY] webhook</c>: what is sent when a
/// stream ends. Email goes over SMTP when <see cref="SmtpHost"/> is set, else through the mailx-style
/// <see cref="Client"/> command (message on stdin), else not at all.
/// </summary>
public sealed record NotifyOptions
{
    public string Subject { get; init; } = "Shoal: $UPLOADNAME $JOBRESULT";

    /// <summary>Header and footer template files (relative to shoal.conf).</summary>
    public string? Header { get; init; }

    public string? Footer { get; init; }

    public IReadOnlyList<string> Client { get; init; } = [];

    public string? SmtpHost { get; init; }

    public int SmtpPort { get; init; } = 25;

    public bool SmtpStartTls { get; init; }

    public string? SmtpUser { get; init; }

    public string? SmtpPassword { get; init; }

    public string From { get; init; } = "shoal@localhost";

    /// <summary>The public base URL links in the message point to; unset, the address this server listens on.</summary>
    public string? Url { get; init; }

    public string? Webhook { get; init; }

    public int Attempts { get; init; } = 3;

    public bool EmailEnabled => SmtpHost is not null || Client.Count > 0;
}
