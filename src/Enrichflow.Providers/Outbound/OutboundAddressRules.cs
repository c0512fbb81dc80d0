using System.Net;
using System.Net.Sockets;

namespace Enrichflow.Providers.Outbound;

/// <summary>
/// Which addresses an outbound request may not reach unless allow-listed, and why: everything that is not the
/// public internet (private, loopback, link-local, unique-local, carrier-grade NAT, unspecified, multicast,
/// broadcast, reserved) and the cloud metadata endpoints. IPv6 forms that embed an IPv4 address
/// (IPv4-mapped <c>::ffff:a.b.c.d</c>, IPv4-compatible <c>::a.b.c.d</c>, NAT64 <c>64:ff9b::a.b.c.d</c>) are judged by that address.
/// </summary>
internal static class OutboundAddressRules
{
    private static readonly IPAddress Ipv4Metadata = IPAddress.Parse("169.254.169.254");
    private static readonly IPAddress Ipv6Metadata = IPAddress.Parse("fd00:ec2::254");

    private static readonly (IPNetwork Range, string Reason)[] Ipv4Rules =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "an unspecified address (0.0.0.0/8)"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT address (100.64.0.0/10)"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (169.254.0.0/16)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("192.0.0.0/24"), "a reserved address (192.0.0.0/24)"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address (RFC 1918)"),
        (IPNetwork.Parse("198.18.0.0/15"), "a reserved address (198.18.0.0/15)"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved address (240.0.0.0/4)"),
    ];

    private static readonly (IPNetwork Range, string Reason)[] Ipv6Rules =
    [
        (IPNetwork.Parse("fe80::/10"), "a link-local address (fe80::/10)"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address (fec0::/10)"),
        (IPNetwork.Parse("fc00::/7"), "a unique-local address (fc00::/7)"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    private static readonly IPNetwork Ipv4Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>Why <paramref name="address"/> is refused (a phrase such as "a loopback address"), or null when it is public.</summary>
    public static string? WhyRefused(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return WhyRefusedV4(address);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return $"not an IP address of a known family ({address.AddressFamily})";
        }

        if (address.Equals(IPAddress.IPv6None))
        {
            return "an unspecified address";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "a loopback address";
        }

        var scopeless = address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes());
        if (scopeless.Equals(Ipv6Metadata))
        {
            return "a cloud metadata address";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return Embedded(address, "an IPv4-mapped form");
        }

        if (Nat64.Contains(scopeless))
        {
            return Embedded(address, "a NAT64 form");
        }

        if (Ipv4Compatible.Contains(scopeless))
        {
            return Embedded(address, "an IPv4-compatible form");
        }

        foreach (var (range, reason) in Ipv6Rules)
        {
            if (range.Contains(scopeless))
            {
                return reason;
            }
        }

        return null;
    }

    private static string? WhyRefusedV4(IPAddress address)
    {
        if (address.Equals(IPAddress.Broadcast))
        {
            return "the broadcast address";
        }

        if (address.Equals(Ipv4Metadata))
        {
            return "a cloud metadata address";
        }

        foreach (var (range, reason) in Ipv4Rules)
        {
            if (range.Contains(address))
            {
                return reason;
            }
        }

        return null;
    }

    private static string? Embedded(IPAddress address, string form)
    {
        var bytes = address.GetAddressBytes();
        var v4 = new IPAddress(bytes.AsSpan(12, 4));
        return WhyRefusedV4(v4) is { } reason ? $"{form} of {v4}, {reason}" : null;
    }
}
