using System.Net;
using System.Net.Sockets;

namespace Enrichflow.Providers.Outbound;

/// <summary>
/// Makes the <see cref="SocketsHttpHandler"/> every outbound request goes through. Its connect step resolves the
/// host itself and checks the exact address it connects to with the rules of <see cref="OutboundGuard"/>, so a
/// name that resolved to a public address when it was checked and to a private one when the connection is made
/// (DNS rebinding) still cannot reach the private one: the connection fails with <see cref="OutboundRefusedException"/>
/// as the inner exception of the <see cref="HttpRequestException"/>.
/// </summary>
/// <remarks>
/// Proxies are off (a proxy would make the checked address the proxy's) and redirects are not followed (a 3xx is the
/// receiver's answer); every new connection, including one to another host, goes through the same check.
/// </remarks>
public static class GuardedHttpHandler
{
    public static SocketsHttpHandler Create(OutboundGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        return new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(guard, context, cancellationToken),
        };
    }

    private static async ValueTask<Stream> ConnectAsync(OutboundGuard guard, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await guard.ResolveForConnectAsync(context.InitialRequestMessage.RequestUri, endpoint.Host, endpoint.Port, cancellationToken);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
