using System.Net;

namespace Enrichflow.Providers.Outbound;

/// <summary>
/// The answer of <see cref="OutboundGuard.CheckAsync"/>: allowed (with the addresses the host resolved to) or not,
/// with a message naming the URL, the host, the address and why. <see cref="IsTransient"/> is true when the host
/// could not be resolved (worth retrying), false for a refusal by policy (retrying cannot help).
/// </summary>
public readonly record struct OutboundCheck(bool IsAllowed, string? Message, bool IsTransient, IReadOnlyList<IPAddress> Addresses)
{
    public static OutboundCheck Allowed(IReadOnlyList<IPAddress> addresses) => new(true, null, false, addresses);

    public static OutboundCheck Refused(string message) => new(false, message, false, []);

    public static OutboundCheck Unresolved(string message) => new(false, message, true, []);
}
