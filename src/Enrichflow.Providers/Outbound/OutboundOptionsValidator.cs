using Microsoft.Extensions.Options;

namespace Enrichflow.Providers.Outbound;

/// <summary>Checks <see cref="OutboundOptions"/> at start and lists every problem, not just the first.</summary>
public sealed class OutboundOptionsValidator : IValidateOptions<OutboundOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboundOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
