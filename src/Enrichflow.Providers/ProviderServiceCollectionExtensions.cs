using Enrichflow.Core.Retries;
using Enrichflow.Core.Storage;
using Enrichflow.Providers.Limits;
using Enrichflow.Providers.Outbound;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>Registers the enrichment providers of the <c>Providers</c> configuration section.</summary>
public static class ProviderServiceCollectionExtensions
{
    /// <summary>
    /// Everything enrichment needs from <paramref name="configuration"/>: the outbound guard (<c>Outbound</c>), the
    /// enrichment caller and budgets (<c>Enrichment</c>) and the providers (<c>Providers</c>). The store behind
    /// <c>IProviderCache</c> and <c>IUsageStore</c> is the host's.
    /// </summary>
    public static IServiceCollection AddProviders(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddEnrichflowOutbound(o => configuration.GetSection("Outbound").Bind(o));
        services.AddEnrichflowEnrichment(o => configuration.GetSection("Enrichment").Bind(o), o => configuration.GetSection("Limits:Org").Bind(o));
        return services.AddEnrichflowProviders(configuration.GetSection(ProvidersOptions.Section), dataDirectory);
    }

    /// <summary>
    /// Reads <paramref name="providersSection"/> (the <c>Providers</c> section; every problem is reported at start),
    /// and adds the singleton <see cref="ProviderLimiters"/> (with the <see cref="TimeProvider"/> of the container, if
    /// any), the singleton <see cref="ProviderRegistry"/>, and for each remote provider the named
    /// <see cref="HttpClient"/> <c>provider:NAME</c>: a resilience handler (retry on 408, 429, 5xx, network errors and
    /// attempt timeouts with exponential backoff, jitter and <c>Retry-After</c>, except where <see cref="ProviderRetries"/>
    /// says a retry may pay twice; then the per-attempt timeout), below it
    /// an attempt counter and the provider's <see cref="ProviderRateHandler"/>, so every attempt takes a token. Every
    /// client connects through <see cref="GuardedHttpHandler"/> (redirects off; its own <c>BaseUrl</c> allowed) and
    /// logs through <see cref="OutboundHttpLogger"/> only (host, status, duration; never a path or query); this calls
    /// <see cref="OutboundServiceCollectionExtensions.AddEnrichflowOutbound"/> for the guard (configure
    /// <c>Outbound:Allow</c> with your own call of it).
    /// </summary>
    /// <param name="dataDirectory">Where relative lookup paths are found first (then next to the application).</param>
    public static IServiceCollection AddEnrichflowProviders(this IServiceCollection services, IConfiguration providersSection, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        var providers = ProvidersOptions.Read(providersSection, dataDirectory);
        services.AddEnrichflowOutbound();
        services.AddOptions<ProvidersOptions>()
            .Configure(o =>
            {
                o.Configured = providers.Configured;
                o.DataDirectory = providers.DataDirectory;
                o.ReadProblems = providers.ReadProblems;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProvidersOptions>, ProvidersOptionsValidator>());
        services.TryAddSingleton(sp => new ProviderLimiters(sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<SharedProviderLimits>()));
        services.TryAddSingleton(sp => ProviderRegistry.Create(
            sp.GetRequiredService<IOptions<ProvidersOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<OutboundGuard>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));

        foreach (var (name, options) in providers.Providers)
        {
            if (ProviderKinds.Find(options.Kind) is { UsesHttpClient: true })
            {
                AddProviderClient(services, ResolvedProviderOptions.Resolve(name, options));
            }
        }

        return services;
    }

    private static void AddProviderClient(IServiceCollection services, ResolvedProviderOptions provider)
    {
        var client = services.AddHttpClient(provider.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        // Every kind connects through the SSRF guard with redirects off (docs/api.md §6): a key sent to the
        // configured host never follows a 3xx anywhere else. The configured BaseUrl's host and port are allowed for
        // this client alone, so a provider on 127.0.0.1 works while a row's URL to a private address stays refused.
        client.ConfigurePrimaryHttpMessageHandler(sp => GuardedHttpHandler.Create(sp.GetRequiredService<OutboundGuard>().AllowingOrigin(provider.BaseUri)));
        client.AddOutboundLogger(provider.Name);

        // Outermost first: retries, then per attempt a token from the provider's bucket, then the attempt's timeout,
        // so waiting for a token (a paced or throttled provider) never counts against the attempt's timeout.
        client.AddResilienceHandler("retries", (pipeline, context) =>
            ConfigureRetries(pipeline, provider, context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System));
        client.AddHttpMessageHandler(() => new AttemptCounter.Handler());
        client.AddHttpMessageHandler(sp => new ProviderRateHandler(sp.GetRequiredService<ProviderLimiters>().For(provider.Name, provider.Limits)));
        client.AddResilienceHandler("attempt-timeout", pipeline => ConfigureTimeout(pipeline, provider));
    }

    /// <summary>
    /// Retries of what <see cref="HttpFailure"/> calls transient (but never of a paid call whose outcome is unknown, as
    /// <see cref="ProviderRetries"/> decides), after the answer's <c>Retry-After</c> (read against
    /// <paramref name="time"/>) or else the exponential <see cref="Backoff"/> with jitter from <c>RetryDelayMs</c>;
    /// settings out of Polly's ranges are clamped, validation reports them.
    /// </summary>
    private static void ConfigureRetries(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResolvedProviderOptions settings, TimeProvider time)
    {
        if (settings.MaxAttempts > 1)
        {
            var backoff = Backoff.Uncapped(settings.RetryDelay < TimeSpan.Zero ? TimeSpan.Zero : settings.RetryDelay);
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    (args.Outcome.Result is { } response ? RetryAfter.Parse(response, time) : null) ?? backoff.Delay(args.AttemptNumber)),
                ShouldHandle = args => ValueTask.FromResult(ProviderRetries.ShouldRetry(
                    HttpFailure.FromOutcome(args.Outcome, args.Context.CancellationToken), args.Context.GetRequestMessage(), settings.Descriptor)),
            });
        }

    }

    /// <summary>The timeout of one attempt, measured from when it got its token.</summary>
    private static void ConfigureTimeout(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ResolvedProviderOptions settings)
    {
        var timeout = settings.Limits.Timeout;
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions
        {
            Timeout = timeout < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : timeout > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : timeout,
        });
    }

    /// <summary>
    /// Holds every provider's limits for the whole cluster through the store's <see cref="IProviderQuotaStore"/>
    /// (<see cref="SharedProviderLimits"/>), for processes that share a store. Call before the limiters are first resolved.
    /// </summary>
    public static IServiceCollection AddSharedProviderLimits(this IServiceCollection services, Action<SharedLimitsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SharedLimitsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new SharedProviderLimits(
            sp.GetRequiredService<IProviderQuotaStore>(),
            sp.GetRequiredService<IOptions<SharedLimitsOptions>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILogger<SharedProviderLimits>>()));
        return services;
    }
}
