using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Blocks.Validation;

/// <summary>Registers the services the validation blocks use at run time.</summary>
public static class ValidationServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="EmailValidationOptions"/> (validated on start) and the singleton <see cref="MxResolver"/>
    /// that <c>validate_email</c> uses. Block types are registered in the block catalogue, not here.
    /// </summary>
    public static IServiceCollection AddEnrichflowValidation(this IServiceCollection services, Action<EmailValidationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EmailValidationOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmailValidationOptions>, EmailValidationOptionsValidator>());
        services.TryAddSingleton(sp => new MxResolver(
            sp.GetRequiredService<IOptions<EmailValidationOptions>>().Value,
            sp.GetService<TimeProvider>()));
        return services;
    }
}
