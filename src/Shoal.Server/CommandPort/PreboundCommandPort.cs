using System.Net;
using System.Net.Sockets;
using Shoal.Core.Config;

namespace Shoal.Server.CommandPort;

/// <summary>A command port bound before the server was built (by <c>shoal fo-scheduler</c>), or none.</summary>
public sealed class PreboundCommandPort(TcpListener? listener)
{
    public TcpListener? Listener { get; } = listener;

    /// <summary>Listens on the configured address and command port (throws <see cref="SocketException"/> when it is taken).</summary>
    public static TcpListener Listen(ShoalConfig cfg)
    {
        var listener = new TcpListener(IPAddress.Parse(cfg.Scheduler.Address), cfg.Scheduler.CommandPort);
        try
        {
            listener.Start();
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }
}
