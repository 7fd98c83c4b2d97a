using System.Net;

namespace Shoal.Server.Hosting;

/// <summary>Whether the REST port can be had, asked before the server starts.</summary>
internal static class PortProbe
{
    /// <summary>
    /// A taken REST port stops the start with one line, before anything starts (Kestrel would find it only while the
    /// host starts, after its services, and log stack traces on the way down).
    /// </summary>
    public static void EnsureFree(string address, int port)
    {
        if (port == 0)
        {
            return;
        }

        var ip = IPAddress.Parse(address);
        using var probe = new System.Net.Sockets.Socket(ip.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        // As Kestrel binds: a port left in TIME_WAIT by a stopped server is free.
        probe.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
        try
        {
            probe.Bind(new IPEndPoint(ip, port));
        }
        catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException($"port {port} on {address} is in use (another server? [SCHEDULER] port = 0 takes any free port)", ex);
        }
    }
}
