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
