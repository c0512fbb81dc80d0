namespace Enrichflow.Providers.Outbound;

/// <summary>
/// Settings of the SSRF guard (docs/api.md §6 and §9, configuration section <c>Outbound</c>), bound by
/// <see cref="OutboundServiceCollectionExtensions"/> and checked at start by <see cref="OutboundOptionsValidator"/>.
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>
    /// What outbound requests may reach although it is private, loopback, link-local or otherwise internal:
    /// CIDR ranges (<c>127.0.0.1/32</c>, <c>::1/128</c>, <c>10.0.0.0/8</c>), single IP addresses, or host names
    /// matched exactly and case-insensitively (<c>receiver.internal</c>). Empty: only public addresses.
    /// </summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>Every problem with these options, each naming the setting and its value (empty when none).</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        var entries = Allow ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            if (!OutboundAllowList.TryParseEntry(entries[i], out _, out _))
            {
                problems.Add($"{Section}:Allow[{i}] '{entries[i]}' is not a CIDR range (like 10.0.0.0/8 or ::1/128), an IP address or a host name.");
            }
        }

        return problems;
    }
}
