using System.Net;
using System.Net.Sockets;

namespace Enrichflow.Providers.Outbound;

/// <summary>
/// The SSRF guard for every outbound URL (webhooks, export, http providers; docs/api.md §6): only http and https, and
/// the host is resolved and refused when any of its addresses is private, loopback, link-local, unique-local,
/// carrier-grade NAT, unspecified, multicast, broadcast, reserved or a cloud metadata endpoint, unless
/// <c>Outbound:Allow</c> lists the address (by range) or the host (by name). A provider's client uses
/// <see cref="AllowingOrigin"/>: its own configured <c>BaseUrl</c> (host and port) is allowed too, for that client only.
/// </summary>
/// <remarks>
/// A check before the request is not enough on its own: the name may resolve to another address when the
/// connection is made (DNS rebinding). <see cref="GuardedHttpHandler"/> therefore resolves again and checks the exact
/// address it connects to with the same rules; use both, or at least the handler.
/// </remarks>
public sealed class OutboundGuard
{
    private readonly OutboundAllowList _allow;
    private readonly Func<string, CancellationToken, ValueTask<IPAddress[]>> _resolve;
    private readonly (string Host, int Port)? _origin;

    /// <param name="options">The allow-list.</param>
    /// <param name="resolve">Resolves a host name to its addresses; the system resolver (<see cref="Dns"/>) when null.</param>
    public OutboundGuard(OutboundOptions options, Func<string, CancellationToken, ValueTask<IPAddress[]>>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allow = OutboundAllowList.From(options);
        _resolve = resolve ?? (async (host, cancellationToken) => await Dns.GetHostAddressesAsync(host, cancellationToken));
    }

    private OutboundGuard(OutboundGuard rules, (string Host, int Port) origin)
    {
        _allow = rules._allow;
        _resolve = rules._resolve;
        _origin = origin;
    }

    /// <summary>
    /// This guard's rules, and besides them the host and port of <paramref name="configured"/> (a provider's
    /// <c>BaseUrl</c>, written by the administrator) whatever address they resolve to, so a provider on 127.0.0.1
    /// or a private network works without <c>Outbound:Allow</c>. Other hosts, and other ports of that host (a row's
    /// URL, a redirect), are judged by the rules alone. Null: this guard as it is.
    /// </summary>
    public OutboundGuard AllowingOrigin(Uri? configured) =>
        configured is { IsAbsoluteUri: true } && !string.IsNullOrEmpty(configured.IdnHost)
            ? new OutboundGuard(this, (Bare(configured.IdnHost), configured.Port))
            : this;

    /// <summary>Checks the scheme and every address the host resolves to now.</summary>
    public async ValueTask<OutboundCheck> CheckAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return OutboundCheck.Refused($"Outbound URL '{url.OriginalString}' is refused: it is not an absolute http or https URL.");
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            return OutboundCheck.Refused($"Outbound URL {Origin(url)} is refused: scheme '{url.Scheme}' is not allowed; use http or https.");
        }

        var host = url.IdnHost;
        if (string.IsNullOrEmpty(host))
        {
            return OutboundCheck.Refused($"Outbound URL {Origin(url)} is refused: it has no host.");
        }

        var resolved = await ResolveAsync(host, cancellationToken);
        if (resolved.Error is not null)
        {
            return OutboundCheck.Unresolved($"Outbound URL {Origin(url)} could not be checked: host {host} did not resolve ({resolved.Error}).");
        }

        return Refusal(url, host, url.Port, resolved.Addresses) is { } refusal
            ? OutboundCheck.Refused(refusal)
            : OutboundCheck.Allowed(resolved.Addresses);
    }

    /// <summary>
    /// Resolves <paramref name="host"/> for a connection to <paramref name="url"/> and returns the addresses to try;
    /// throws <see cref="OutboundRefusedException"/> when any is refused.
    /// </summary>
    internal async ValueTask<IPAddress[]> ResolveForConnectAsync(Uri? url, string host, int port, CancellationToken cancellationToken)
    {
        var resolved = await ResolveAsync(host, cancellationToken);
        if (resolved.Error is not null)
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"Host {host} did not resolve ({resolved.Error}).");
        }

        var target = url is not null && string.Equals(url.IdnHost, host, StringComparison.OrdinalIgnoreCase)
            ? url
            : new UriBuilder(Uri.UriSchemeHttp, host, port).Uri;
        return Refusal(target, host, port, resolved.Addresses) is { } refusal
            ? throw new OutboundRefusedException(refusal)
            : resolved.Addresses;
    }

    private async ValueTask<(IPAddress[] Addresses, string? Error)> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out var literal))
        {
            return ([literal], null);
        }

        try
        {
            var addresses = await _resolve(host, cancellationToken);
            return addresses.Length == 0 ? ([], "no addresses") : (addresses, null);
        }
        catch (SocketException e)
        {
            return ([], e.SocketErrorCode.ToString());
        }
    }

    /// <summary>The refusal message for the first refused address, or null when the host may be reached at all of them.</summary>
    private string? Refusal(Uri url, string host, int port, IReadOnlyList<IPAddress> addresses)
    {
        if (_allow.AllowsHost(host) || IsOrigin(host, port))
        {
            return null;
        }

        var literal = addresses.Count == 1 && IPAddress.TryParse(host.Trim('[', ']'), out _);
        foreach (var address in addresses)
        {
            if (_allow.AllowsAddress(address) || OutboundAddressRules.WhyRefused(address) is not { } why)
            {
                continue;
            }

            return literal
                ? $"Outbound URL {Origin(url)} is refused: {address} is {why}; allow it with Outbound:Allow."
                : $"Outbound URL {Origin(url)} is refused: {host} resolves to {address}, {why}; allow it with Outbound:Allow.";
        }

        return null;
    }

    private bool IsOrigin(string host, int port) =>
        _origin is { } origin && origin.Port == port && string.Equals(origin.Host, Bare(host).TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private static string Bare(string host) => host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;

    /// <summary>
    /// The URL as the guard's messages show it: scheme, host and port only. Its path and query may carry tokens or
    /// row values, and these messages reach the logs (export, webhooks, Polly's attempt events) as well as rows.
    /// </summary>
    internal static string Origin(Uri url) =>
        url.IsAbsoluteUri ? url.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) + "/" : url.OriginalString;

    /// <summary>The URL as row reasons show it: without user info, query or fragment (they may carry tokens).</summary>
    internal static string Describe(Uri url) =>
        url.IsAbsoluteUri ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : url.OriginalString;
}
