using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Webhooks;

/// <summary>Registers outgoing webhooks: options, the run-end listener, the envelope builder and the sender.</summary>
public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="WebhookOptions"/> (section <c>Webhooks</c>, validated on start), the <see cref="IRunEndListener"/>
    /// that records deliveries and the hosted <see cref="WebhookSender"/>. An <see cref="IWebhookDeliveryStore"/>,
    /// the signing-secret store and the outbound client must be registered too.
    /// </summary>
    public static IServiceCollection AddEnrichflowWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddCheckedOptions<WebhookOptions>(o => o.Validate())
            .Bind(configuration.GetSection(WebhookOptions.Section));
        services.TryAddSingleton<WebhookEnvelopeBuilder>();
        services.TryAddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRunEndListener, WebhookRunEndListener>());
        return services;
    }
}
