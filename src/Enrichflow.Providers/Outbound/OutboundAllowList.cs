using System.Net;

namespace Enrichflow.Providers.Outbound;

/// <summary>The parsed <see cref="OutboundOptions.Allow"/> list: address ranges and exact host names.</summary>
internal sealed class OutboundAllowList
{
    private readonly IPNetwork[] _networks;
    private readonly HashSet<string> _hosts;

    private OutboundAllowList(IPNetwork[] networks, HashSet<string> hosts)
    {
        _networks = networks;
        _hosts = hosts;
    }

    /// <summary>The entries of <paramref name="options"/> that parse (the validator reports the others).</summary>
    public static OutboundAllowList From(OutboundOptions options)
    {
        var networks = new List<IPNetwork>();
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in options.Allow ?? [])
        {
            if (TryParseEntry(entry, out var network, out var host))
            {
                if (host is not null)
                {
                    hosts.Add(host);
                }
                else
                {
                    networks.Add(network);
                }
            }
        }

        return new OutboundAllowList([.. networks], hosts);
    }

    /// <summary>Parses a CIDR range, a single IP address (a range of one) or a DNS host name.</summary>
    public static bool TryParseEntry(string? entry, out IPNetwork network, out string? host)
    {
        network = default;
        host = null;
        var text = entry?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains('/', StringComparison.Ordinal))
        {
            return IPNetwork.TryParse(text, out network);
        }

        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        if (Uri.CheckHostName(text) == UriHostNameType.Dns)
        {
            host = NormalizeHost(text);
            return true;
        }

        return false;
    }

    public bool AllowsHost(string host) => _hosts.Count > 0 && _hosts.Contains(NormalizeHost(host));

    /// <summary>True when a range contains the address, or its IPv4 form when it is an IPv4-mapped IPv6 address.</summary>
    public bool AllowsAddress(IPAddress address)
    {
        var v4 = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : null;
        foreach (var network in _networks)
        {
            if (network.Contains(address) || (v4 is not null && network.Contains(v4)))
            {
                return true;
            }
        }

        return false;
    }

    private static string NormalizeHost(string host) => host.TrimEnd('.');
}
