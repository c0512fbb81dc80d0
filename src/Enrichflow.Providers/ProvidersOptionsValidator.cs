using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// Checks <see cref="ProvidersOptions"/> at start and lists every problem, not just the first, each naming its path
/// (<c>Providers:s64:ApiKey</c>) and value, so that a bad configuration stops the server with the whole list rather
/// than the first request failing. The settings every kind has are checked here, the rest by the kind's
/// <see cref="ProviderKindDescriptor"/>.
/// </summary>
public sealed partial class ProvidersOptionsValidator : IValidateOptions<ProvidersOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvidersOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>The problems of every provider, after the values that could not be read.</summary>
    public static List<string> Problems(ProvidersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>(options.ReadProblems);
        foreach (var (name, provider) in options.Providers)
        {
            problems.AddRange(Problems(name, provider, options.DataDirectory));
        }

        return problems;
    }

    /// <summary>The problems of one provider, <c>Providers:NAME</c>.</summary>
    public static List<string> Problems(string name, ProviderOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var at = $"{ProvidersOptions.Section}:{name}";
        var problems = new List<string>();
        var kind = ProviderKinds.Find(options.Kind);
        if (string.IsNullOrWhiteSpace(options.Kind))
        {
            problems.Add($"{at}:Kind is missing; use one of {string.Join(", ", ProviderKinds.Names)}.");
        }
        else if (kind is null)
        {
            problems.Add($"{at}:Kind '{options.Kind}' is not a provider kind; use one of {string.Join(", ", ProviderKinds.Names)}.");
        }

        ApiKey(at, options, kind, problems);
        Limits(at, options, problems);
        Operations(at, options, kind, problems);
        kind?.AddProblems(at, options, dataDirectory, problems);
        return problems;
    }

    private static void ApiKey(string at, ProviderOptions options, ProviderKindDescriptor? kind, List<string> problems)
    {
        if (options.ApiKey is { } key && UnexpandedReference().Match(key) is { Success: true } reference)
        {
            problems.Add($"{at}:ApiKey refers to ${{{reference.Groups[1].Value}}}, which is not set; set the environment variable {reference.Groups[1].Value}.");
        }
        else if (string.IsNullOrWhiteSpace(options.ApiKey) && kind?.MissingApiKeyProblem(at) is { } missing)
        {
            problems.Add(missing);
        }
    }

    private static void Limits(string at, ProviderOptions options, List<string> problems)
    {
        NotNegative(at, "RequestsPerMinute", options.RequestsPerMinute, problems);
        NotNegative(at, "MaxConcurrency", options.MaxConcurrency, problems);
        NotNegative(at, "RetryDelayMs", options.RetryDelayMs, problems);
        if (options.CreditsPerCall is < 0)
        {
            problems.Add($"{at}:CreditsPerCall {options.CreditsPerCall} must not be negative.");
        }

        // The attempt timeout of the resilience pipeline must be at least 10 ms.
        if (options.TimeoutSeconds is < 0.01)
        {
            problems.Add($"{at}:TimeoutSeconds {options.TimeoutSeconds} must be at least 0.01.");
        }

        if (options.MaxAttempts is < 1)
        {
            problems.Add($"{at}:MaxAttempts {options.MaxAttempts} must be at least 1 (1 means no retries).");
        }
    }

    private static void NotNegative(string at, string setting, int? value, List<string> problems)
    {
        if (value is < 0)
        {
            problems.Add($"{at}:{setting} {value} must not be negative (0 means unlimited).");
        }
    }

    private static void Operations(string at, ProviderOptions options, ProviderKindDescriptor? kind, List<string> problems)
    {
        for (var i = 0; i < options.Operations.Count; i++)
        {
            if (EnrichmentOperations.Parse(options.Operations[i]) is not { } operation)
            {
                problems.Add($"{at}:Operations:{i} '{options.Operations[i]}' is not an operation; use {string.Join(", ", EnrichmentOperations.Names)}.");
            }
            else if (kind is not null && !kind.SupportedOperations.Contains(operation))
            {
                problems.Add($"{at}:Operations:{i} '{options.Operations[i]}' is not something {kind.Name} providers can do; they can do {string.Join(", ", kind.SupportedOperations.Select(o => o.ToWire()))}.");
            }
        }
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex UnexpandedReference();
}
