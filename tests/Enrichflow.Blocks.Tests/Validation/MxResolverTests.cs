using Enrichflow.Blocks.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Blocks.Tests.Validation;

public sealed class MxResolverTests
{
    private static readonly Dictionary<string, Zone> Zones = new(StringComparer.Ordinal)
    {
        ["good.example"] = Zone.Mx,
        ["other.example"] = Zone.Mx,
        ["third.example"] = Zone.Mx,
        ["nullmx.example"] = Zone.NullMx,
        ["aonly.example"] = Zone.AOnly,
        ["empty.example"] = Zone.Empty,
        ["servfail.example"] = Zone.ServFail,
        ["silent.example"] = Zone.Silent,
        ["slow.example"] = Zone.SlowMx,
    };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    internal static MxResolver Resolver(LoopbackDnsServer dns, Action<EmailValidationOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new EmailValidationOptions { NameServers = [dns.Address], DnsTimeoutMs = 1000, DnsRetries = 0 };
        configure?.Invoke(options);
        return new MxResolver(options, time);
    }

    [Theory]
    [InlineData("good.example", MxStatus.Found)]
    [InlineData("nullmx.example", MxStatus.NullMx)]
    [InlineData("aonly.example", MxStatus.ImplicitMx)]
    [InlineData("empty.example", MxStatus.NoMx)]
    [InlineData("missing.example", MxStatus.NoMx)]
    [InlineData("servfail.example", MxStatus.Unknown)]
    [InlineData("silent.example", MxStatus.Unknown)]
    public async Task Each_kind_of_dns_answer_gives_its_status(string domain, MxStatus expected)
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        Assert.Equal(expected, await Resolver(dns).LookupAsync(domain, Token));
    }

    [Fact]
    public async Task Second_lookup_of_a_domain_is_answered_from_the_cache()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns);

        Assert.Equal(MxStatus.Found, await resolver.LookupAsync("good.example", Token));
        Assert.Equal(MxStatus.Found, await resolver.LookupAsync("good.example", Token));

        Assert.Equal(1, dns.QueriesFor("good.example"));
        Assert.Equal(1, resolver.CachedDomains);
    }

    [Fact]
    public async Task Nonexistent_domain_is_a_final_answer_and_cached()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns);

        await resolver.LookupAsync("missing.example", Token);
        await resolver.LookupAsync("missing.example", Token);

        Assert.Equal(1, dns.QueriesFor("missing.example"));
    }

    [Fact]
    public async Task Implicit_mx_asks_for_mx_then_a_and_is_cached()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns);

        await resolver.LookupAsync("aonly.example", Token);
        await resolver.LookupAsync("aonly.example", Token);

        Assert.Equal(1, dns.QueriesFor("aonly.example", "MX"));
        Assert.Equal(1, dns.QueriesFor("aonly.example", "A"));
        Assert.Equal(0, dns.QueriesFor("aonly.example", "AAAA"));
    }

    [Fact]
    public async Task Timeout_is_not_cached_and_the_next_lookup_asks_again()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns);

        Assert.Equal(MxStatus.Unknown, await resolver.LookupAsync("silent.example", Token));
        Assert.Equal(MxStatus.Unknown, await resolver.LookupAsync("silent.example", Token));

        Assert.Equal(2, dns.QueriesFor("silent.example"));
        Assert.Equal(0, resolver.CachedDomains);
    }

    [Fact]
    public async Task Timed_out_query_is_retried_dns_retries_times()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns, o => o.DnsRetries = 2);

        Assert.Equal(MxStatus.Unknown, await resolver.LookupAsync("silent.example", Token));

        Assert.Equal(3, dns.QueriesFor("silent.example"));
    }

    [Fact]
    public async Task Server_failure_is_not_cached()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns);

        await resolver.LookupAsync("servfail.example", Token);
        await resolver.LookupAsync("servfail.example", Token);

        Assert.Equal(2, dns.QueriesFor("servfail.example"));
    }

    [Fact]
    public async Task Concurrent_lookups_of_one_domain_share_one_query()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns, o => o.DnsTimeoutMs = 2000);

        var lookups = Enumerable.Range(0, 20).Select(_ => resolver.LookupAsync("slow.example", Token).AsTask());
        var results = await Task.WhenAll(lookups);

        Assert.All(results, r => Assert.Equal(MxStatus.Found, r));
        Assert.Equal(1, dns.QueriesFor("slow.example"));
    }

    [Fact]
    public async Task Cancelling_one_waiter_leaves_the_shared_query_to_the_others()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns, o => o.DnsTimeoutMs = 2000);
        using var cancel = new CancellationTokenSource();

        var cancelled = resolver.LookupAsync("slow.example", cancel.Token).AsTask();
        var patient = resolver.LookupAsync("slow.example", Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(MxStatus.Found, await patient);
        Assert.Equal(1, dns.QueriesFor("slow.example"));
    }

    [Fact]
    public async Task Cached_answer_expires_after_the_cache_ttl()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var time = new FakeTimeProvider();
        var resolver = Resolver(dns, o => o.CacheTtlSeconds = 60, time);

        await resolver.LookupAsync("good.example", Token);
        time.Advance(TimeSpan.FromSeconds(59));
        await resolver.LookupAsync("good.example", Token);
        Assert.Equal(1, dns.QueriesFor("good.example"));

        time.Advance(TimeSpan.FromSeconds(2));
        await resolver.LookupAsync("good.example", Token);
        Assert.Equal(2, dns.QueriesFor("good.example"));
    }

    [Fact]
    public async Task Cache_keeps_at_most_cache_size_domains_and_evicts_the_least_recently_used()
    {
        using var dns = LoopbackDnsServer.Start(Zones);
        var resolver = Resolver(dns, o => o.CacheSize = 2);

        await resolver.LookupAsync("good.example", Token);
        await resolver.LookupAsync("other.example", Token);
        await resolver.LookupAsync("good.example", Token);
        await resolver.LookupAsync("third.example", Token);
        Assert.Equal(2, resolver.CachedDomains);

        await resolver.LookupAsync("good.example", Token);
        await resolver.LookupAsync("other.example", Token);

        Assert.Equal(1, dns.QueriesFor("good.example"));
        Assert.Equal(2, dns.QueriesFor("other.example"));
    }

    [Fact]
    public void Invalid_options_are_refused_naming_every_problem()
    {
        var options = new EmailValidationOptions
        {
            NameServers = ["127.0.0.1:99999", "not a host"],
            DnsTimeoutMs = 0,
            DnsRetries = -1,
            CacheSize = -5,
            CacheTtlSeconds = -1,
        };

        var problems = EmailValidationOptionsValidator.Problems(options);

        Assert.Equal(6, problems.Count);
        Assert.Contains(problems, p => p.Contains("DnsTimeoutMs", StringComparison.Ordinal) && p.Contains('0', StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'not a host'", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new MxResolver(options));
    }

    [Theory]
    [InlineData("1.1.1.1", "1.1.1.1", 53)]
    [InlineData("127.0.0.1:5353", "127.0.0.1", 5353)]
    [InlineData("::1", "::1", 53)]
    [InlineData("[::1]:5300", "::1", 5300)]
    [InlineData("localhost", "localhost", 53)]
    [InlineData("dns.internal:54", "dns.internal", 54)]
    public void Name_servers_are_ip_addresses_or_host_names_with_an_optional_port(string text, string host, int port)
    {
        Assert.True(NameServerAddress.TryParse(text, out var address));
        Assert.Equal(new NameServerAddress(host, port), address);
    }

    [Fact]
    public void Service_registration_gives_one_resolver_and_validates_the_options()
    {
        using var good = new ServiceCollection().AddEnrichflowValidation(o => o.NameServers = ["127.0.0.1:5353"]).BuildServiceProvider();
        Assert.Same(good.GetRequiredService<MxResolver>(), good.GetRequiredService<MxResolver>());

        using var bad = new ServiceCollection().AddEnrichflowValidation(o => o.DnsTimeoutMs = -1).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<EmailValidationOptions>>().Value);
        Assert.Contains("DnsTimeoutMs", error.Message, StringComparison.Ordinal);
    }
}
