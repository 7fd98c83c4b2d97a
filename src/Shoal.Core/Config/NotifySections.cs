namespace Shoal.Core.Config;

/// <summary>Reads <c>[EMAILNOTIFY]</c> and <c>[NOTIFY]</c>.</summary>
internal static class NotifySections
{
    /// <param name="fossology">A FOSSology fossology.conf: only [EMAILNOTIFY]'s header, footer, subject and client are read, as fo_scheduler reads them; other keys are FOSSology's business.</param>
    public static NotifyOptions Read(IniDocument doc, Func<string, string> resolve, bool fossology = false)
    {
        var n = new NotifyOptions();
        foreach (var e in doc.In("EMAILNOTIFY").Where(e => !fossology || e.Key is "subject" or "header" or "footer" or "client"))
        {
            n = e.Key switch
            {
                "subject" => n with { Subject = e.Value },
                "header" => n with { Header = resolve(e.Value) },
                "footer" => n with { Footer = resolve(e.Value) },
                "client" => n with { Client = Words(doc, e) },
                "smtp_host" => n with { SmtpHost = e.Value },
                "smtp_port" => n with { SmtpPort = doc.Int(e, 1) },
                "smtp_starttls" => n with { SmtpStartTls = doc.Enum(e, ("yes", true), ("no", false), ("1", true), ("0", false)) },
                "smtp_user" => n with { SmtpUser = e.Value },
                "smtp_password" => n with { SmtpPassword = e.Value },
                "from" => n with { From = e.Value },
                "url" => n with { Url = e.Value.TrimEnd('/') },
                "attempts" => n with { Attempts = doc.Int(e, 1) },
                _ => throw doc.UnknownKey(e),
            };
        }

        foreach (var e in fossology ? [] : doc.In("NOTIFY"))
        {
            n = e.Key switch
            {
                "webhook" => Uri.TryCreate(e.Value, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
                    ? n with { Webhook = e.Value }
                    : throw doc.Error(e, $"'webhook' must be an http(s) URL, got '{e.Value}'"),
                _ => throw doc.UnknownKey(e),
            };
        }

        return n;
    }

    private static IReadOnlyList<string> Words(IniDocument doc, IniEntry e)
    {
        var words = CommandLineSplitter.Split(e.Value, out var error);
        return error is null && words.Count > 0 ? words : throw doc.Error(e, error ?? "'client' is empty");
    }
}
