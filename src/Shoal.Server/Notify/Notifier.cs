using System.Net.Http.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;
using Shoal.Contracts;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Server.Api;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Notify;

/// <summary>
/// When a stream ends, or is found stuck: an email to its owner (unless every agent type in it is NOEMAIL) over SMTP or the
/// configured mail client, and a JSON POST to the webhook. Each is tried a few times with backoff; a
/// failure is logged and never fails the stream. Every finished stream is handled once (the store remembers), by the leader.
/// </summary>
internal sealed class Notifier(IQueueStore store, ConfigHolder config, TimeProvider time, ClusterMember cluster, ILogger<Notifier> logger)
    : LeaderDuty(config, time, cluster)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        foreach (var detail in await store.GetUnnotifiedStreamsAsync(50, ct).ConfigureAwait(false))
        {
            await NotifyAsync(detail, EmailComposer.Compose, ct).ConfigureAwait(false);
            await store.MarkNotifiedAsync(detail.Stream.Id, Time.GetUtcNow(), ct).ConfigureAwait(false);
        }

        foreach (var detail in await store.GetUnnotifiedStuckAsync(50, ct).ConfigureAwait(false))
        {
            await NotifyAsync(detail, EmailComposer.ComposeStuck, ct).ConfigureAwait(false);
            await store.MarkStuckNotifiedAsync(detail.Stream.Id, Time.GetUtcNow(), ct).ConfigureAwait(false);
        }
    }

    protected override void Failed(Exception ex) => Log.NotifyFailed(logger, ex);

    private async Task NotifyAsync(StreamDetail detail, Func<StreamDetail, ShoalConfig, string, (string Subject, string Body)> compose, CancellationToken ct)
    {
        var cfg = Config.Current;
        var noEmail = detail.Jobs.All(j => cfg.AgentTypes.TryGetValue(j.Type, out var t) && t.Special.HasFlag(AgentSpecial.NoEmail));
        if (cfg.Notify.EmailEnabled && !noEmail && Recipient(detail.Stream.Owner) is { } to)
        {
            var (subject, body) = compose(detail, cfg, cfg.Notify.Url ?? StateFiles.LocalUrl(Cluster.Url));
            await RetryAsync("email", () => SendEmailAsync(cfg.Notify, to, OneLine(subject), body, ct), cfg.Notify.Attempts, ct).ConfigureAwait(false);
        }

        if (cfg.Notify.Webhook is { } url)
        {
            var stuck = detail.Stream.Stuck is not null && !detail.Stream.State.IsTerminal();
            var payload = new
            {
                stream = detail.Stream.Id.Value,
                name = detail.Stream.Name,
                owner = detail.Stream.Owner,
                state = stuck ? "stuck" : detail.Stream.State.Name(),
                reason = stuck ? detail.Stream.Stuck : detail.Stream.Reason,
                jobs = detail.Jobs.Select(j => j.ToDto()).ToList(),
            };
            await RetryAsync("webhook", async () => (await Http.PostAsJsonAsync(url, payload, ShoalJson.Options, ct).ConfigureAwait(false)).EnsureSuccessStatusCode(), cfg.Notify.Attempts, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The owner as an email recipient, or null when it is none: one address (MimeKit's reading of it), no spaces or
    /// control characters, and never a word a mail client would take for an option (<c>-oQ/tmp/x@b.c</c>).
    /// </summary>
    public static string? Recipient(string owner) =>
        owner.Contains('@', StringComparison.Ordinal) && !owner.StartsWith('-') && !owner.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
        && MailboxAddress.TryParse(owner, out var address) && address.Address == owner
            ? owner
            : null;

    /// <summary>A subject is one line: line breaks and other control characters become spaces.</summary>
    public static string OneLine(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));

    private static async Task SendEmailAsync(NotifyOptions n, string to, string subject, string body, CancellationToken ct)
    {
        if (n.SmtpHost is { } host)
        {
            using var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(n.From));
            message.To.Add(MailboxAddress.Parse(to));
            message.Subject = subject;
            message.Body = new TextPart("plain") { Text = body };
            using var smtp = new SmtpClient();
            await smtp.ConnectAsync(host, n.SmtpPort, n.SmtpStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, ct).ConfigureAwait(false);
            if (n.SmtpUser is { } user)
            {
                await smtp.AuthenticateAsync(user, n.SmtpPassword ?? "", ct).ConfigureAwait(false);
            }

            await smtp.SendAsync(message, ct).ConfigureAwait(false);
            await smtp.DisconnectAsync(true, ct).ConfigureAwait(false);
            return;
        }

        // A mailx-style client: CLIENT -s SUBJECT RECIPIENT, the message on stdin (no shell).
        var psi = new System.Diagnostics.ProcessStartInfo(n.Client[0]) { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in n.Client.Skip(1).Concat(["-s", subject, to]))
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {n.Client[0]}");
        await process.StandardInput.WriteAsync(body.AsMemory(), ct).ConfigureAwait(false);
        process.StandardInput.Close();
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{n.Client[0]} exited with code {process.ExitCode}");
        }
    }

    private async Task RetryAsync(string what, Func<Task> send, int attempts, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            try
            {
                await send().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.NotifyFailed(logger, what, attempt, attempts, ex.Message);
                if (attempt < attempts)
                {
                    await Task.Delay(TimeSpan.FromSeconds(attempt), Time, ct).ConfigureAwait(false);
                }
            }
        }
    }
}
