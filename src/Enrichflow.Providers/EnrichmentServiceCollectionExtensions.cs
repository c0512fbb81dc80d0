using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

public static class EnrichmentServiceCollectionExtensions
{
    /// <summary>
    /// The enrichment services every enrichment block uses: the caller (cache, budget, gate), the run budgets and
    /// the server-wide <see cref="EnrichmentOptions"/>. The providers are added by <c>AddEnrichflowProviders</c>; the
    /// store behind <c>IProviderCache</c> and <c>IUsageStore</c> by the host.
    /// </summary>
    public static IServiceCollection AddEnrichflowEnrichment(this IServiceCollection services, Action<EnrichmentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EnrichmentOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EnrichmentOptions>, EnrichmentOptionsValidator>());
        services.TryAddSingleton<RunBudget>();
        services.TryAddSingleton<EnrichmentCaller>();
        return services;
    }

    private sealed class EnrichmentOptionsValidator : IValidateOptions<EnrichmentOptions>
    {
        public ValidateOptionsResult Validate(string? name, EnrichmentOptions options)
        {
            var problems = options.Validate().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
