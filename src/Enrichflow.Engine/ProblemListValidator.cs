using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Enrichflow.Engine;

/// <summary>Validates options with a function that lists every problem (not just the first).</summary>
public sealed class ProblemListValidator<TOptions>(Func<TOptions, IEnumerable<string>> problems) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var list = problems(options).ToList();
        return list.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(list);
    }
}

/// <summary>Registers options checked at start by a <see cref="ProblemListValidator{TOptions}"/>.</summary>
public static class CheckedOptions
{
    /// <summary>
    /// Options of <typeparamref name="TOptions"/> validated when the host starts by <paramref name="problems"/>, which
    /// lists every problem; bind or configure them on the builder returned.
    /// </summary>
    public static OptionsBuilder<TOptions> AddCheckedOptions<TOptions>(this IServiceCollection services, Func<TOptions, IEnumerable<string>> problems)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new ProblemListValidator<TOptions>(problems));
        return services.AddOptions<TOptions>().ValidateOnStart();
    }
}
