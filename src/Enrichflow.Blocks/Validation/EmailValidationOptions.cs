namespace Enrichflow.Blocks.Validation;

/// <summary>
/// Settings of the MX lookups behind <c>validate_email</c> (bound by <see cref="ValidationServiceCollectionExtensions"/>
/// and checked at start by <see cref="EmailValidationOptionsValidator"/>).
/// </summary>
public sealed class EmailValidationOptions
{
    /// <summary>
    /// DNS servers to ask, each an IP address or host name with an optional port (<c>1.1.1.1</c>,
    /// <c>127.0.0.1:5353</c>, <c>[::1]:53</c>, <c>dns.internal:53</c>). Empty: the system's resolvers.
    /// </summary>
    public List<string> NameServers { get; set; } = [];

    /// <summary>How long one DNS query may take before it is retried or given up, in milliseconds (default 3000).</summary>
    public int DnsTimeoutMs { get; set; } = 3000;

    /// <summary>How many times a query that timed out is retried (default 1).</summary>
    public int DnsRetries { get; set; } = 1;

    /// <summary>How many domains' final answers are kept in memory (default 100,000); 0 turns the cache off.</summary>
    public int CacheSize { get; set; } = 100_000;

    /// <summary>How long a cached answer is used, in seconds (default 3600).</summary>
    public int CacheTtlSeconds { get; set; } = 3600;
}
