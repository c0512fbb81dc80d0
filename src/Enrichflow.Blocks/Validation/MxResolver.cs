using System.Collections.Concurrent;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace Enrichflow.Blocks.Validation;

/// <summary>
/// Looks up a domain's mail servers (MX, then A/AAAA for an implicit MX) and remembers final answers per domain.
/// One instance serves the whole process (register it as a singleton):
/// <list type="bullet">
/// <item>final answers (<see cref="MxStatus.Found"/>, <see cref="MxStatus.ImplicitMx"/>, <see cref="MxStatus.NoMx"/>,
/// <see cref="MxStatus.NullMx"/>) are cached for <see cref="EmailValidationOptions.CacheTtlSeconds"/>, at most
/// <see cref="EmailValidationOptions.CacheSize"/> domains, least recently used evicted first;</item>
/// <item><see cref="MxStatus.Unknown"/> (timeout, SERVFAIL, refused) is never cached, so the next lookup asks again;</item>
/// <item>concurrent lookups of one domain share a single query.</item>
/// </list>
/// </summary>
public sealed class MxResolver
{
    private static readonly QueryType[] AddressTypes = [QueryType.A, QueryType.AAAA];

    private readonly LookupClient _client;
    private readonly BoundedCache<MxStatus> _cache;
    private readonly ConcurrentDictionary<string, Lazy<Task<MxStatus>>> _inFlight = new(StringComparer.Ordinal);

    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public MxResolver(EmailValidationOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = EmailValidationOptionsValidator.Problems(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        var servers = (options.NameServers ?? [])
            .Select(s => NameServerAddress.TryParse(s, out var a) ? a : default)
            .SelectMany(a => a.Resolve())
            .Select(e => new NameServer(e))
            .ToArray();
        var lookup = servers.Length == 0 ? new LookupClientOptions() : new LookupClientOptions(servers);
        lookup.Timeout = TimeSpan.FromMilliseconds(options.DnsTimeoutMs);
        lookup.Retries = options.DnsRetries;
        lookup.UseCache = false;
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = true;
        lookup.ContinueOnEmptyResponse = false;
        _client = new LookupClient(lookup);
        _cache = new BoundedCache<MxStatus>(options.CacheSize, TimeSpan.FromSeconds(options.CacheTtlSeconds), timeProvider ?? TimeProvider.System);
    }

    /// <summary>Domains whose final answer is cached now.</summary>
    public int CachedDomains => _cache.Count;

    /// <summary>
    /// What DNS says about <paramref name="domain"/> (lower-case ASCII, as <see cref="EmailSyntax"/> normalizes it).
    /// Cancelling stops waiting; a query other callers share goes on.
    /// </summary>
    public async ValueTask<MxStatus> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        if (_cache.TryGet(domain, out var cached))
        {
            return cached;
        }

        Lazy<Task<MxStatus>>? mine = null;
        mine = new Lazy<Task<MxStatus>>(() => ResolveAsync(domain, mine!));
        var shared = _inFlight.GetOrAdd(domain, mine);
        return await shared.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<MxStatus> ResolveAsync(string domain, Lazy<Task<MxStatus>> self)
    {
        try
        {
            if (_cache.TryGet(domain, out var cached))
            {
                return cached;
            }

            // The query is shared by every caller waiting for this domain, so no one caller's token cancels it;
            // the DNS timeout and retries bound it.
            var status = await QueryAsync(domain, CancellationToken.None).ConfigureAwait(false);
            if (status != MxStatus.Unknown)
            {
                _cache.Set(domain, status);
            }

            return status;
        }
        finally
        {
            _inFlight.TryRemove(KeyValuePair.Create(domain, self));
        }
    }

    private async Task<MxStatus> QueryAsync(string domain, CancellationToken cancellationToken)
    {
        try
        {
            var mx = await _client.QueryAsync(domain, QueryType.MX, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            if (Classify(mx) is { } final)
            {
                return final;
            }

            var exchanges = mx.Answers.MxRecords().ToList();
            if (exchanges.Count > 0)
            {
                return exchanges.TrueForAll(IsNullExchange) ? MxStatus.NullMx : MxStatus.Found;
            }

            foreach (var type in AddressTypes)
            {
                var address = await _client.QueryAsync(domain, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
                if (Classify(address) is { } failed)
                {
                    return failed;
                }

                if (address.Answers.AddressRecords().Any())
                {
                    return MxStatus.ImplicitMx;
                }
            }

            return MxStatus.NoMx;
        }
        catch (Exception e) when (e is DnsResponseException or OperationCanceledException or SocketException or IOException)
        {
            // No caller's token reaches the query, so a cancellation here is DnsClient's own timeout. Timeouts,
            // unreachable servers and broken responses all mean "no answer".
            return MxStatus.Unknown;
        }
    }

    /// <summary>The final status a response code implies (NXDOMAIN, failure), or null when the answer must be read.</summary>
    private static MxStatus? Classify(IDnsQueryResponse response) => response.Header.ResponseCode switch
    {
        DnsHeaderResponseCode.NoError => null,
        DnsHeaderResponseCode.NotExistentDomain => MxStatus.NoMx,
        _ => MxStatus.Unknown,
    };

    private static bool IsNullExchange(MxRecord record) => record.Exchange.Value is "." or "";
}
