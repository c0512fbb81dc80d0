using Enrichflow.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using Enrichflow.Providers.Kinds;
using Enrichflow.Providers.Orgs;

namespace Enrichflow.Providers;

public static class EnrichmentServiceCollectionExtensions
{
    /// <summary>
    /// The enrichment services every enrichment block uses: the caller (cache, budget, gate), the run and organization
    /// budgets (with the organization limits' defaults, <see cref="OrgLimitsOptions"/>) and
    /// the server-wide <see cref="EnrichmentOptions"/>. The providers are added by <c>AddEnrichflowProviders</c>; the
    /// store behind <c>IProviderCache</c> and <c>IUsageStore</c> by the host.
    /// </summary>
    public static IServiceCollection AddEnrichflowEnrichment(this IServiceCollection services, Action<EnrichmentOptions>? configure = null, Action<OrgLimitsOptions>? configureOrgLimits = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EnrichmentOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EnrichmentOptions>, EnrichmentOptionsValidator>());
        var orgLimits = services.AddOptions<OrgLimitsOptions>();
        if (configureOrgLimits is not null)
        {
            orgLimits.Configure(configureOrgLimits);
        }

        orgLimits.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrgLimitsOptions>, OrgLimitsOptionsValidator>());
        services.TryAddSingleton<OrgLimitsSource>();
        services.TryAddSingleton<OrgCredits>();
        services.TryAddSingleton<RunBudget>();
        services.TryAddSingleton<EnrichmentCaller>();
        services.TryAddSingleton<EnrichflowMetrics>();
        return services;
    }

    private sealed class OrgLimitsOptionsValidator : IValidateOptions<OrgLimitsOptions>
    {
        public ValidateOptionsResult Validate(string? name, OrgLimitsOptions options)
        {
            var problems = options.Validate().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
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
