using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// Every problem with the <c>Providers</c> configuration, each naming its path (<c>Providers:s64:ApiKey</c>) and
/// value, so that a bad configuration stops the server with the whole list rather than the first request failing.
/// </summary>
public static partial class ProviderOptionsValidation
{
    /// <summary>The problems of every provider, plus the values that could not be read.</summary>
    public static List<string> Problems(ProvidersOptions configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>(configuration.ReadProblems);
        foreach (var (name, options) in configuration.Providers)
        {
            problems.AddRange(Problems(name, options, configuration.DataDirectory));
        }

        return problems;
    }

    /// <summary>The problems of one provider, <c>Providers:NAME</c>.</summary>
    public static List<string> Problems(string name, ProviderOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var at = $"{ProvidersOptions.Section}:{name}";
        var problems = new List<string>();
        var kind = options.Kind;
        if (string.IsNullOrWhiteSpace(kind))
        {
            problems.Add($"{at}:Kind is missing; use one of {string.Join(", ", ProviderKinds.All)}.");
        }
        else if (!ProviderKinds.IsKnown(kind))
        {
            problems.Add($"{at}:Kind '{kind}' is not a provider kind; use one of {string.Join(", ", ProviderKinds.All)}.");
        }

        ApiKey(at, options, problems);
        Limits(at, options, problems);
        Operations(at, options, problems);
        switch (kind)
        {
            case ProviderKinds.Sixtyfour:
                BaseUrl(at, options.BaseUrl, required: false, problems);
                if (options.PollIntervalSeconds is <= 0)
                {
                    problems.Add($"{at}:PollIntervalSeconds {options.PollIntervalSeconds} must be more than 0.");
                }

                break;
            case ProviderKinds.OpenAiCompatible:
                BaseUrl(at, options.BaseUrl, required: true, problems);
                if (string.IsNullOrWhiteSpace(options.Model))
                {
                    problems.Add($"{at}:Model is missing; name the model to call (for example gpt-4o-mini or llama3.1).");
                }

                if (options.Temperature is < 0 or > 2)
                {
                    problems.Add($"{at}:Temperature {options.Temperature} must be between 0 and 2.");
                }

                break;
            case ProviderKinds.Http:
                BaseUrl(at, options.BaseUrl, required: true, problems);
                Http(at, options, problems);
                break;
            case ProviderKinds.Website:
                if (options.MaxBytes is <= 0)
                {
                    problems.Add($"{at}:MaxBytes {options.MaxBytes} must be more than 0.");
                }

                break;
            case ProviderKinds.Lookup:
                Lookup(at, options, dataDirectory, problems);
                break;
        }

        return problems;
    }

    private static void ApiKey(string at, ProviderOptions options, List<string> problems)
    {
        if (options.ApiKey is { } key && UnexpandedReference().Match(key) is { Success: true } reference)
        {
            problems.Add($"{at}:ApiKey refers to ${{{reference.Groups[1].Value}}}, which is not set; set the environment variable {reference.Groups[1].Value}.");
        }
        else if (string.IsNullOrWhiteSpace(options.ApiKey) && options.Kind == ProviderKinds.Sixtyfour)
        {
            problems.Add($"{at}:ApiKey is missing; Sixtyfour needs an API key (for example \"${{SIXTYFOUR_API_KEY}}\").");
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

    private static void Operations(string at, ProviderOptions options, List<string> problems)
    {
        for (var i = 0; i < options.Operations.Count; i++)
        {
            if (ProviderKinds.ParseOperation(options.Operations[i]) is null)
            {
                problems.Add($"{at}:Operations:{i} '{options.Operations[i]}' is not an operation; use {string.Join(", ", ProviderKinds.OperationNames)}.");
            }
        }
    }

    private static void BaseUrl(string at, string? baseUrl, bool required, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            if (required)
            {
                problems.Add($"{at}:BaseUrl is missing; give the API's address (like https://api.example.com/v1/).");
            }
        }
        else if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            problems.Add($"{at}:BaseUrl '{baseUrl}' is not an absolute http or https URL.");
        }
    }

    private static void Http(string at, ProviderOptions options, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            problems.Add($"{at}:Path is missing; give the request path template (like v1/companies?domain={{{{domain}}}}).");
        }

        if (options.Method is { } method && method is not ("GET" or "POST"))
        {
            problems.Add($"{at}:Method '{method}' is not GET or POST.");
        }

        Placeholders($"{at}:Path", options.Path, problems);
        foreach (var (header, template) in options.Headers)
        {
            Placeholders($"{at}:Headers:{header}", template, problems);
        }

        if (options.Body is { } body)
        {
            Placeholders($"{at}:Body", body, problems);
            try
            {
                using var _ = JsonDocument.Parse(ProviderTemplate.RenderJson(body, _ => "x"));
            }
            catch (JsonException e)
            {
                problems.Add($"{at}:Body is not JSON once its placeholders are filled in: {e.Message}");
            }
        }

        foreach (var (field, path) in options.Fields)
        {
            if (!JsonPath.TryParse(path, out _, out var error))
            {
                problems.Add($"{at}:Fields:{field} {error}");
            }
        }

        foreach (var status in options.NotFoundStatuses)
        {
            if (status is < 100 or > 599)
            {
                problems.Add($"{at}:NotFoundStatuses {status} is not an HTTP status.");
            }
        }
    }

    private static void Placeholders(string at, string? template, List<string> problems)
    {
        foreach (var unknown in ProviderTemplate.UnknownNamesIn(template))
        {
            problems.Add($"{at} uses {{{{{unknown}}}}}, which is not a placeholder; use {string.Join(", ", ProviderTemplate.Names.Select(n => "{{" + n + "}}"))}.");
        }
    }

    private static void Lookup(string at, ProviderOptions options, string dataDirectory, List<string> problems)
    {
        var keyField = options.KeyField;
        var keyKnown = keyField is not null && LookupTable.KeyFields.Contains(keyField);
        if (keyField is null)
        {
            problems.Add($"{at}:KeyField is missing; use one of {string.Join(", ", LookupTable.KeyFields)}.");
        }
        else if (!keyKnown)
        {
            problems.Add($"{at}:KeyField '{keyField}' is not a key field; use one of {string.Join(", ", LookupTable.KeyFields)}.");
        }

        if (string.IsNullOrWhiteSpace(options.Path))
        {
            problems.Add($"{at}:Path is missing; give the CSV or NDJSON file of the table.");
            return;
        }

        if (!LookupTable.IsSupported(options.Path))
        {
            problems.Add($"{at}:Path '{options.Path}' is neither CSV (.csv, .tsv, .txt) nor NDJSON (.ndjson, .jsonl).");
            return;
        }

        if (LookupTable.Locate(options.Path, dataDirectory, out var tried) is not { } file)
        {
            problems.Add($"{at}:Path '{options.Path}' was not found (looked at {string.Join(" and ", tried)}).");
            return;
        }

        if (keyKnown)
        {
            try
            {
                _ = LookupTable.Load(file, keyField!);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or FormatException)
            {
                problems.Add($"{at}:Path {e.Message}");
            }
        }
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex UnexpandedReference();
}

/// <summary>Checks <see cref="ProvidersOptions"/> at start and lists every problem, not just the first.</summary>
public sealed class ProvidersOptionsValidator : IValidateOptions<ProvidersOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvidersOptions options)
    {
        var problems = ProviderOptionsValidation.Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
