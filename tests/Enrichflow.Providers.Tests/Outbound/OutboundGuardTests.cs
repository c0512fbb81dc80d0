using System.Net;
using Enrichflow.Providers.Outbound;

namespace Enrichflow.Providers.Tests.Outbound;

public sealed class OutboundGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OutboundGuard Guard(params string[] allow) => new(new OutboundOptions { Allow = [.. allow] });

    /// <summary>A guard whose "DNS" answers from a table (unknown names do not resolve).</summary>
    private static OutboundGuard GuardWithDns(Dictionary<string, string[]> names, params string[] allow) =>
        new(new OutboundOptions { Allow = [.. allow] }, (host, _) =>
            ValueTask.FromResult(names.TryGetValue(host, out var addresses)
                ? addresses.Select(IPAddress.Parse).ToArray()
                : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound)));

    [Theory]
    [InlineData("10.0.0.5", "a private address (RFC 1918)")]
    [InlineData("172.16.0.1", "a private address (RFC 1918)")]
    [InlineData("172.31.255.254", "a private address (RFC 1918)")]
    [InlineData("192.168.1.10", "a private address (RFC 1918)")]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("127.8.9.10", "a loopback address")]
    [InlineData("169.254.10.20", "a link-local address (169.254.0.0/16)")]
    [InlineData("169.254.169.254", "a cloud metadata address")]
    [InlineData("100.64.0.1", "a carrier-grade NAT address (100.64.0.0/10)")]
    [InlineData("100.127.255.254", "a carrier-grade NAT address (100.64.0.0/10)")]
    [InlineData("0.0.0.0", "an unspecified address (0.0.0.0/8)")]
    [InlineData("224.0.0.251", "a multicast address")]
    [InlineData("255.255.255.255", "the broadcast address")]
    [InlineData("240.0.0.1", "a reserved address (240.0.0.0/4)")]
    [InlineData("[::1]", "a loopback address")]
    [InlineData("[::]", "an unspecified address")]
    [InlineData("[fe80::1]", "a link-local address (fe80::/10)")]
    [InlineData("[fc00::1]", "a unique-local address (fc00::/7)")]
    [InlineData("[fd12:3456::1]", "a unique-local address (fc00::/7)")]
    [InlineData("[fd00:ec2::254]", "a cloud metadata address")]
    [InlineData("[ff02::1]", "a multicast address")]
    [InlineData("[::ffff:10.0.0.5]", "an IPv4-mapped form of 10.0.0.5, a private address (RFC 1918)")]
    [InlineData("[::ffff:127.0.0.1]", "an IPv4-mapped form of 127.0.0.1, a loopback address")]
    [InlineData("[::ffff:169.254.169.254]", "an IPv4-mapped form of 169.254.169.254, a cloud metadata address")]
    [InlineData("[64:ff9b::a00:5]", "a NAT64 form of 10.0.0.5, a private address (RFC 1918)")]
    public async Task An_address_outside_the_public_internet_is_refused_with_the_reason(string host, string reason)
    {
        var check = await Guard().CheckAsync(new Uri($"http://{host}/hook"), Ct);

        Assert.False(check.IsAllowed);
        Assert.False(check.IsTransient);
        var address = IPAddress.Parse(host.Trim('[', ']'));
        Assert.Equal($"Outbound URL http://{host}/ is refused: {address} is {reason}; allow it with Outbound:Allow.", check.Message);
    }

    [Fact]
    public async Task The_message_for_a_private_address_reads_as_documented()
    {
        var check = await Guard().CheckAsync(new Uri("http://10.0.0.5/hook"), Ct);

        Assert.Equal("Outbound URL http://10.0.0.5/ is refused: 10.0.0.5 is a private address (RFC 1918); allow it with Outbound:Allow.", check.Message);
    }

    [Theory]
    [InlineData("http://93.184.216.34/hook")]
    [InlineData("https://8.8.8.8:8443/x")]
    [InlineData("http://172.32.0.1/")]
    [InlineData("http://100.128.0.1/")]
    [InlineData("http://[2606:4700:4700::1111]/")]
    [InlineData("http://[::ffff:8.8.8.8]/")]
    public async Task A_public_address_is_allowed(string url)
    {
        var check = await Guard().CheckAsync(new Uri(url), Ct);

        Assert.True(check.IsAllowed, check.Message);
        Assert.Null(check.Message);
        Assert.Single(check.Addresses);
    }

    [Theory]
    [InlineData("ftp://example.com/file", "ftp")]
    [InlineData("file:///etc/passwd", "file")]
    [InlineData("gopher://example.com/", "gopher")]
    public async Task A_scheme_other_than_http_or_https_is_refused_by_name(string url, string scheme)
    {
        var check = await Guard("example.com").CheckAsync(new Uri(url), Ct);

        Assert.False(check.IsAllowed);
        Assert.Contains($"scheme '{scheme}' is not allowed; use http or https", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_in_an_allowed_cidr_range_is_allowed_and_one_outside_it_is_not()
    {
        var guard = Guard("10.0.0.0/8", "127.0.0.1/32", "::1/128");

        Assert.True((await guard.CheckAsync(new Uri("http://10.20.30.40/hook"), Ct)).IsAllowed);
        Assert.True((await guard.CheckAsync(new Uri("http://127.0.0.1:9000/hook"), Ct)).IsAllowed);
        Assert.True((await guard.CheckAsync(new Uri("http://[::1]:9000/hook"), Ct)).IsAllowed);
        Assert.True((await guard.CheckAsync(new Uri("http://[::ffff:10.1.2.3]/hook"), Ct)).IsAllowed);
        Assert.False((await guard.CheckAsync(new Uri("http://127.0.0.2/hook"), Ct)).IsAllowed);
        Assert.False((await guard.CheckAsync(new Uri("http://192.168.0.1/hook"), Ct)).IsAllowed);
    }

    [Fact]
    public async Task A_configured_origin_is_allowed_on_its_own_host_and_port_only_and_the_shared_guard_is_unchanged()
    {
        var shared = Guard();
        var provider = shared.AllowingOrigin(new Uri("http://127.0.0.1:9000/v1/"));
        var ipv6 = shared.AllowingOrigin(new Uri("http://[::1]:9100/"));

        Assert.True((await provider.CheckAsync(new Uri("http://127.0.0.1:9000/enrich-company?key=1"), Ct)).IsAllowed);
        Assert.False((await provider.CheckAsync(new Uri("http://127.0.0.1:9001/enrich-company"), Ct)).IsAllowed);
        Assert.False((await provider.CheckAsync(new Uri("http://127.0.0.2:9000/"), Ct)).IsAllowed);
        Assert.False((await provider.CheckAsync(new Uri("http://10.0.0.1:9000/"), Ct)).IsAllowed);
        Assert.True((await ipv6.CheckAsync(new Uri("http://[::1]:9100/x"), Ct)).IsAllowed);
        Assert.False((await shared.CheckAsync(new Uri("http://127.0.0.1:9000/enrich-company"), Ct)).IsAllowed);
        Assert.Same(shared, shared.AllowingOrigin(null));
    }

    [Fact]
    public async Task A_single_allowed_address_without_a_prefix_is_a_range_of_one()
    {
        var guard = Guard("169.254.169.254");

        Assert.True((await guard.CheckAsync(new Uri("http://169.254.169.254/latest"), Ct)).IsAllowed);
        Assert.False((await guard.CheckAsync(new Uri("http://169.254.169.253/latest"), Ct)).IsAllowed);
    }

    [Fact]
    public async Task A_host_that_resolves_to_a_private_address_is_refused_naming_host_and_address()
    {
        var guard = GuardWithDns(new() { ["hooks.internal"] = ["10.1.2.3"] });

        var check = await guard.CheckAsync(new Uri("https://hooks.internal/receive?token=secret"), Ct);

        Assert.False(check.IsAllowed);
        Assert.Equal(
            "Outbound URL https://hooks.internal/ is refused: hooks.internal resolves to 10.1.2.3, a private address (RFC 1918); allow it with Outbound:Allow.",
            check.Message);
    }

    [Fact]
    public async Task A_host_is_refused_when_any_of_its_addresses_is_private()
    {
        var guard = GuardWithDns(new() { ["mixed.example"] = ["93.184.216.34", "192.168.7.7"] });

        var check = await guard.CheckAsync(new Uri("http://mixed.example/"), Ct);

        Assert.False(check.IsAllowed);
        Assert.Contains("resolves to 192.168.7.7, a private address", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allowed_host_name_is_allowed_whatever_it_resolves_to_matching_case_insensitively()
    {
        var guard = GuardWithDns(new() { ["receiver.internal"] = ["10.9.9.9"], ["other.internal"] = ["10.9.9.9"] }, "receiver.internal");

        Assert.True((await guard.CheckAsync(new Uri("http://Receiver.Internal/hook"), Ct)).IsAllowed);
        Assert.False((await guard.CheckAsync(new Uri("http://other.internal/hook"), Ct)).IsAllowed);
    }

    [Fact]
    public async Task A_host_that_does_not_resolve_is_not_allowed_and_is_marked_transient()
    {
        var check = await GuardWithDns([]).CheckAsync(new Uri("http://nowhere.example/hook"), Ct);

        Assert.False(check.IsAllowed);
        Assert.True(check.IsTransient);
        Assert.Contains("host nowhere.example did not resolve", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Localhost_resolves_to_loopback_and_is_refused_unless_allowed()
    {
        var refused = await Guard().CheckAsync(new Uri("http://localhost:8080/hook"), Ct);
        Assert.False(refused.IsAllowed);
        Assert.Matches("^Outbound URL http://localhost:8080/ is refused: localhost resolves to (127\\.0\\.0\\.1|::1), a loopback address; allow it with Outbound:Allow\\.$", refused.Message);

        Assert.True((await Guard("localhost").CheckAsync(new Uri("http://localhost:8080/hook"), Ct)).IsAllowed);
        Assert.True((await Guard("127.0.0.0/8", "::1/128").CheckAsync(new Uri("http://localhost:8080/hook"), Ct)).IsAllowed);
    }

    [Fact]
    public void Every_bad_allow_entry_is_listed_as_a_problem()
    {
        var options = new OutboundOptions { Allow = ["127.0.0.1/32", "10.0.0.0/33", "::1/129", "not a host!", "", "receiver.internal", "fd00::/8"] };

        Assert.Equal(
            [
                "Outbound:Allow[1] '10.0.0.0/33' is not a CIDR range (like 10.0.0.0/8 or ::1/128), an IP address or a host name.",
                "Outbound:Allow[2] '::1/129' is not a CIDR range (like 10.0.0.0/8 or ::1/128), an IP address or a host name.",
                "Outbound:Allow[3] 'not a host!' is not a CIDR range (like 10.0.0.0/8 or ::1/128), an IP address or a host name.",
                "Outbound:Allow[4] '' is not a CIDR range (like 10.0.0.0/8 or ::1/128), an IP address or a host name.",
            ],
            options.Problems());
    }
}
