using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Providers.Outbound;

/// <summary>Registers the SSRF guard and the HTTP client every outbound request uses.</summary>
public static class OutboundServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> whose connections go through <see cref="GuardedHttpHandler"/>.</summary>
    public const string HttpClientName = "outbound";

    /// <summary>
    /// Adds <see cref="OutboundOptions"/> (validated on start, every problem listed), the singleton
    /// <see cref="OutboundGuard"/> and the named <see cref="HttpClient"/> <c>outbound</c>
    /// (<c>IHttpClientFactory.CreateClient(OutboundServiceCollectionExtensions.HttpClientName)</c>), and removes
    /// the HttpClient factory's loggers from every client (<see cref="OutboundHttpLogger"/> logs ours).
    /// </summary>
    /// <param name="configure">Binds the options, typically from the configuration section <c>Outbound</c>.</param>
    public static IServiceCollection AddEnrichflowOutbound(this IServiceCollection services, Action<OutboundOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<OutboundOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboundOptions>, OutboundOptionsValidator>());
        services.TryAddSingleton(sp => new OutboundGuard(sp.GetRequiredService<IOptions<OutboundOptions>>().Value));
        // The factory's own loggers write whole request URIs (tokens, row values) at Information: none for any
        // client; ours log host, status and duration (OutboundHttpLogger).
        services.ConfigureHttpClientDefaults(client => client.RemoveAllLoggers());
        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => GuardedHttpHandler.Create(sp.GetRequiredService<OutboundGuard>()))
            .AddOutboundLogger(HttpClientName);
        return services;
    }
}
