using System.Globalization;
using System.Net;

namespace Enrichflow.Blocks.Validation;

/// <summary>A DNS server as configured: an IP address or host name and a port (53 unless given).</summary>
public readonly record struct NameServerAddress(string Host, int Port)
{
    public const int DefaultPort = 53;

    /// <summary>
    /// Parses <c>1.2.3.4</c>, <c>1.2.3.4:53</c>, <c>::1</c>, <c>[::1]:53</c>, <c>host</c> or <c>host:53</c>.
    /// </summary>
    public static bool TryParse(string? text, out NameServerAddress address)
    {
        address = default;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (IPEndPoint.TryParse(value, out var endPoint))
        {
            var port = endPoint.Port == 0 ? DefaultPort : endPoint.Port;
            address = new NameServerAddress(endPoint.Address.ToString(), port);
            return true;
        }

        var host = value;
        var portNumber = DefaultPort;
        var colon = value.LastIndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out portNumber)
                || portNumber is < 1 or > 65_535)
            {
                return false;
            }

            host = value[..colon];
        }

        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            return false;
        }

        address = new NameServerAddress(host, portNumber);
        return true;
    }

    /// <summary>The server's end points; a host name is resolved once, through the system resolver.</summary>
    public IPEndPoint[] Resolve()
    {
        var port = Port;
        return IPAddress.TryParse(Host, out var ip)
            ? [new IPEndPoint(ip, port)]
            : [.. Dns.GetHostAddresses(Host).Select(a => new IPEndPoint(a, port))];
    }
}
