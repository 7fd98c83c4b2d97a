using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Server.Api;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.CommandPort;

/// <summary>
/// FOSSology's command port: the first line must be an admin token (unless the client is on loopback and
/// <c>command_port_trust</c> allows it), then one command a line (or a write without a newline, as fo_cli sends
/// them: <see cref="CommandReader"/>), each answered
/// <c>received</c> and its output; multi-line outputs end with <c>end</c>. A hostile network cannot stop it: at most
/// <c>command_port_max_connections</c> are open at once (one more is told so and closed), a connection must send its
/// first line within 10 s and is closed after <c>command_port_idle</c> without a line, lines are capped, and the
/// accept loop carries on through any error (out of file descriptors included).
/// With <c>tls_cert</c> set, a client may open TLS on the same port (its first byte tells: 0x16 starts a TLS
/// handshake); clients off loopback must, unless <c>command_port_remote = yes</c> lets them speak in clear.
/// </summary>
internal sealed class CommandPortServer(
    ConfigHolder config, TokenAuth tokens, CommandHandler handler, Spawned.Dispatcher dispatcher, PreboundCommandPort prebound, ILogger<CommandPortServer> logger)
    : BackgroundService, IHostedLifecycleService
{
    public const int MaxLine = 4096;
    public const string PortFile = "command.port";

    /// <summary>How long a new connection has for its first line (the token, or a command when loopback is trusted).</summary>
    public static readonly TimeSpan FirstLineWithin = TimeSpan.FromSeconds(10);

    public const string RemoteRefused =
        "error: the command port takes clients off loopback only over TLS (its first line is a token): set [SCHEDULER] tls_cert and connect with TLS, or set command_port_remote = yes on a trusted network";

    /// <summary>The first byte of a TLS record carrying a handshake (a ClientHello, here).</summary>
    private const byte TlsHandshake = 0x16;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, TcpClient> _pending = new();
    private int _open;
    private long _next;
    private X509Certificate2? _certificate;
    private TcpListener? _listener;

    /// <summary>
    /// Binds the port before any service starts, unless the command that started the server bound it already
    /// (<c>fo-scheduler</c> does, first thing: FOSSology's scheduler listens within milliseconds of its start, and its
    /// tools connect as soon as that). Clients wait in the backlog until the accept loop runs.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The accept loop owns the listener and disposes it.")]
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var cfg = config.Current;
        if (cfg.Scheduler.SweepsOnly)
        {
            return Task.CompletedTask; // shoal sweep's own server has no command port (nor a command.port file)
        }

        _certificate = cfg.Scheduler.TlsCert is { } cert ? Tls.LoadCertificate(cert, cfg.Scheduler.TlsKey) : null;
        TcpListener listener;
        try
        {
            listener = prebound.Listener ?? PreboundCommandPort.Listen(cfg);
        }
        catch (SocketException ex) when (!cfg.Scheduler.Fossology)
        {
            // The REST API is the main door; a taken command port must not take the scheduler down. As FOSSology's
            // scheduler, the port is the door (fo_cli, the UI) and the one-instance lock: taken, it does not start.
            Log.CommandPortUnavailable(logger, cfg.Scheduler.CommandPort, ex.Message);
            return Task.CompletedTask;
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"command port {cfg.Scheduler.CommandPort}: {ex.Message} (is a scheduler already running on this configuration?)", ex);
        }

        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        StateFiles.WriteAtomically(Path.Combine(cfg.StateDir, PortFile), $"{port}\n"); // a reader never sees it half-written
        _listener = listener;
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Closes the oldest connection still waiting for its first line; false when there is none.</summary>
    private bool EvictOldestPending()
    {
        foreach (var id in _pending.Keys.Order())
        {
            if (_pending.TryRemove(id, out var oldest))
            {
                oldest.Dispose();
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a client at <paramref name="remote"/> may use the port: loopback always, others only over TLS or when
    /// <paramref name="remoteAllowed"/>.
    /// </summary>
    public static bool RemoteAllowed(EndPoint? remote, bool remoteAllowed, bool tls = false) =>
        remoteAllowed || tls || IsLoopback(remote);

    private static bool IsLoopback(EndPoint? remote) =>
        remote is IPEndPoint { Address: var a } && IPAddress.IsLoopback(a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a);

    /// <summary>
    /// Closes the port once the dispatcher has drained: FOSSology's stop waits for the running agents, and status, load
    /// and die still answer meanwhile (the port is the first service to stop).
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await dispatcher.DrainAsync(cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is not { } listener)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Out of file descriptors, a reset before accept...: the port stays open, and tries again shortly.
                    Log.CommandPortAcceptFailed(logger, ex.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    continue;
                }

                // At the cap, the oldest connection that has not authenticated yet makes room: idle connections
                // cannot lock an operator out. Only when every open connection is authenticated is one refused.
                if (Interlocked.Increment(ref _open) > config.Current.Scheduler.CommandPortMaxConnections && !EvictOldestPending())
                {
                    Interlocked.Decrement(ref _open);
                    Refuse(client);
                    continue;
                }

                var id = Interlocked.Increment(ref _next);
                _pending[id] = client;
                _ = ServeAsync(client, () => _pending.TryRemove(id, out _), stoppingToken).ContinueWith(
                    served =>
                    {
                        _pending.TryRemove(id, out _);
                        Interlocked.Decrement(ref _open);
                    },
                    TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            listener.Stop();
            listener.Dispose();
            _certificate?.Dispose();
        }
    }

    /// <summary>Tells a connection past the cap why, without waiting for it, and closes it.</summary>
    private static void Refuse(TcpClient client)
    {
        using (client)
        {
            try
            {
                client.Client.Blocking = false;
                client.Client.Send("error: too many connections, try again later\n"u8);
            }
            catch (SocketException)
            {
                // It went away first.
            }
        }
    }

    private async Task ServeAsync(TcpClient client, Action authenticated, CancellationToken ct)
    {
        // One budget from accept to the first line, TLS handshake included: a slow client cannot stretch it.
        var accepted = System.Diagnostics.Stopwatch.GetTimestamp();
        TimeSpan Left() => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (FirstLineWithin - System.Diagnostics.Stopwatch.GetElapsedTime(accepted)).Ticks));
        using (client)
        {
            Stream stream = client.GetStream();
            try
            {
                var tls = await StartsTlsAsync(client, Left(), ct).ConfigureAwait(false);
                if (tls)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = ssl;
                    await ssl.AuthenticateAsServerAsync(_certificate!).WaitAsync(Left(), ct).ConfigureAwait(false);
                }

                await ServeAsync(client, stream, tls, Left, authenticated, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or IOException or SocketException or OperationCanceledException
                or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                // A handshake that never came or failed, a client gone: nothing to answer.
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Whether the client opens TLS: only when a certificate is configured, by its first byte, waited for at most
    /// <see cref="FirstLineWithin"/>. A client that waits for the server to speak first (none does) is taken as clear.
    /// </summary>
    private async Task<bool> StartsTlsAsync(TcpClient client, TimeSpan within, CancellationToken ct)
    {
        if (_certificate is null)
        {
            return false;
        }

        var first = new byte[1];
        var read = await client.Client.ReceiveAsync(first, SocketFlags.Peek, ct).AsTask().WaitAsync(within, ct).ConfigureAwait(false);
        return read == 1 && first[0] == TlsHandshake;
    }

    private async Task ServeAsync(TcpClient client, Stream stream, bool tls, Func<TimeSpan> firstLineLeft, Action authenticated, CancellationToken ct)
    {
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var reader = new CommandReader(text);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true, NewLine = "\n" };
        try
        {
            if (!RemoteAllowed(client.Client.RemoteEndPoint, config.Current.Scheduler.CommandPortRemote, tls))
            {
                await writer.WriteLineAsync(RemoteRefused).ConfigureAwait(false);
                return;
            }

            var (ok, hash) = await AuthenticateAsync(client, reader, firstLineLeft(), ct).ConfigureAwait(false);
            if (!ok)
            {
                await writer.WriteLineAsync("error: not authenticated").ConfigureAwait(false);
                return;
            }

            // A client that gave its token is in; a trusted loopback client is once its first command came, within
            // the first line's time: till then it may be closed to make room, so idle clients cannot lock the port.
            if (hash is not null)
            {
                authenticated();
            }

            var idle = config.Current.Scheduler.CommandPortIdle;
            var firstLine = true;
            while (await reader.NextAsync(firstLine && hash is null ? firstLineLeft() : idle, ct).ConfigureAwait(false) is { } line)
            {
                authenticated();
                // A trusted loopback client may still open with its token (shoal cli always does): taken as such,
                // never run as a command nor echoed back.
                if (firstLine && hash is null && await AdminTokenAsync(line, ct).ConfigureAwait(false) is { } given)
                {
                    hash = given;
                    firstLine = false;
                    continue;
                }

                firstLine = false;
                // A token revoked meanwhile (on any server) ends the connection at its next command.
                if (hash is not null && await tokens.FindAsync(hash, ct).ConfigureAwait(false) is not { RevokedAt: null })
                {
                    await writer.WriteLineAsync("error: the token of this connection was revoked, closing").ConfigureAwait(false);
                    return;
                }

                if (line.Length > MaxLine)
                {
                    await writer.WriteLineAsync($"Invalid command: \"{line[..64]}...\" (longer than {MaxLine} characters)").ConfigureAwait(false);
                    continue;
                }

                if (!await handler.HandleAsync(line.Trim(), writer, ct).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (TimeoutException ex)
        {
            await TryWriteAsync(writer, $"error: {ex.Message}, closing").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away mid-line or the server stops: nothing to answer.
        }
        catch (Exception ex)
        {
            Log.CommandPortFailed(logger, ex);
        }
    }

    /// <summary>Whether the client may give commands, and the hash of the token it gave (null for a trusted loopback client).</summary>
    private async Task<(bool Ok, string? Hash)> AuthenticateAsync(TcpClient client, CommandReader reader, TimeSpan within, CancellationToken ct)
    {
        var trust = config.Current.Scheduler.CommandPortTrustLoopback
            && IsLoopback(client.Client.RemoteEndPoint);
        if (trust)
        {
            return (true, null);
        }

        var first = await reader.NextAsync(within, ct).ConfigureAwait(false);
        var hash = first is null ? null : await AdminTokenAsync(first, ct).ConfigureAwait(false);
        return (hash is not null, hash);
    }

    /// <summary>The hash of <paramref name="line"/> when it is a live admin token, else null.</summary>
    private async Task<string?> AdminTokenAsync(string line, CancellationToken ct)
    {
        var text = line.Trim();
        if (text.Length < Hosting.StateFiles.MinTokenLength || text.Length > MaxLine || text.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }

        var hash = TokenAuth.Hash(text);
        return await tokens.FindAsync(hash, ct).ConfigureAwait(false) is { RevokedAt: null, Role: TokenAuth.AdminRole } ? hash : null;
    }

    private static async Task TryWriteAsync(StreamWriter writer, string line)
    {
        try
        {
            await writer.WriteLineAsync(line).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Gone already.
        }
    }
}
