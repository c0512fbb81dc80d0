using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Enrichflow.Providers.Outbound;
using Enrichflow.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Providers.Tests.Kinds;

/// <summary>
/// A fake provider server on loopback and a container with the providers configured against it, exactly as the
/// server would build them (<see cref="ProviderServiceCollectionExtensions.AddEnrichflowProviders"/>), with
/// <c>Outbound:Allow</c> = 127.0.0.1/32 so the website provider may reach the fake (or, with <see cref="Build"/>, the allow-list given).
/// </summary>
internal sealed class ProviderKit : IAsyncDisposable
{
    private ProviderKit(FakeProviderServer fake, ServiceProvider services, AttemptSpy spy)
    {
        Fake = fake;
        Services = services;
        Spy = spy;
    }

    public FakeProviderServer Fake { get; }

    public ServiceProvider Services { get; }

    /// <summary>Counts the attempts that reached the bottom of every provider client's pipeline.</summary>
    public AttemptSpy Spy { get; }

    public ProviderRegistry Registry => Services.GetRequiredService<ProviderRegistry>();

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts the fake and configures one provider named <paramref name="name"/> of <paramref name="kind"/>, with overrides.</summary>
    public static async Task<ProviderKit> StartAsync(string name, string kind, params (string Setting, string? Value)[] overrides) =>
        await StartAsync(new FakeProviderOptions(), name, kind, overrides);

    public static async Task<ProviderKit> StartAsync(FakeProviderOptions options, string name, string kind, params (string Setting, string? Value)[] overrides)
    {
        var fake = await FakeProviderServer.StartAsync(options, Ct);
        var settings = fake.ProviderConfiguration(name, kind);
        foreach (var (setting, value) in overrides)
        {
            settings[$"Providers:{name}:{setting}"] = value;
        }

        return Build(fake, settings, ["127.0.0.1/32"], [name]);
    }

    /// <summary>
    /// The providers of <paramref name="settings"/> (<c>Providers:*</c> entries, any number) with exactly
    /// <paramref name="allow"/> as <c>Outbound:Allow</c>; the spy counts the attempts of every provider in <paramref name="spied"/>.
    /// </summary>
    public static ProviderKit Build(FakeProviderServer fake, IDictionary<string, string?> settings, IReadOnlyList<string> allow, IReadOnlyList<string> spied)
    {
        var spy = new AttemptSpy();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddEnrichflowOutbound(o => o.Allow.AddRange(allow))
            .AddEnrichflowProviders(configuration.GetSection(ProvidersOptions.Section), Path.GetTempPath());
        foreach (var name in spied)
        {
            services.AddHttpClient(ResolvedProviderOptions.HttpClientNameOf(name)).AddHttpMessageHandler(() => new AttemptSpy.Handler(spy));
        }

        return new ProviderKit(fake, services.BuildServiceProvider(), spy);
    }

    public IEnrichmentProvider Provider(string name) => Registry.Find(name) ?? throw new InvalidOperationException($"no provider '{name}'");

    public Task<EnrichmentAnswer> CallAsync(string name, EnrichmentRequest request) => Provider(name).CallAsync(request, Ct);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Fake.DisposeAsync();
    }

    public static ReturnField Field(string name, ReturnFieldType type = ReturnFieldType.Str, string? description = null) =>
        new(name, description ?? name.Replace('_', ' '), type);

    public static EnrichmentRequest Request(EnrichmentOperation operation, IReadOnlyDictionary<string, string> input, IReadOnlyList<ReturnField> fields, IReadOnlyDictionary<string, string>? options = null) =>
        new(operation, input, fields, options ?? new Dictionary<string, string>());

    public static EnrichmentRequest Company(string domain, params ReturnField[] fields) =>
        Request(EnrichmentOperation.EnrichCompany, new Dictionary<string, string> { ["domain"] = domain }, fields);

    public static EnrichmentRequest Person(string name, string email, params ReturnField[] fields) =>
        Request(EnrichmentOperation.EnrichPerson, new Dictionary<string, string> { ["name"] = name, ["email"] = email }, fields);

    /// <summary>Counts HTTP attempts per host (a request refused before sending never gets here).</summary>
    public sealed class AttemptSpy
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public sealed class Handler(AttemptSpy spy) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref spy._count);
                return base.SendAsync(request, cancellationToken);
            }
        }
    }
}
