using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// One provider's options with the defaults of its kind filled in: what the providers and the HTTP pipeline read.
/// Made from options that <see cref="ProviderOptionsValidation"/> accepted; <see cref="Configured"/> keeps them as configured.
/// </summary>
public sealed class ResolvedProviderOptions
{
    private ResolvedProviderOptions(string name, ProviderOptions options)
    {
        Name = name;
        Configured = options;
        Kind = options.Kind ?? "";
        Limits = new ProviderLimits(
            options.RequestsPerMinute ?? ProviderKinds.DefaultRequestsPerMinute(Kind),
            options.MaxConcurrency ?? ProviderKinds.DefaultMaxConcurrency(Kind),
            TimeSpan.FromSeconds(options.TimeoutSeconds ?? ProviderKinds.DefaultTimeoutSeconds(Kind)),
            options.CreditsPerCall ?? ProviderKinds.DefaultCreditsPerCall(Kind));
        MaxAttempts = options.MaxAttempts ?? 4;
        RetryDelay = TimeSpan.FromMilliseconds(options.RetryDelayMs ?? 1000);
        var baseUrl = options.BaseUrl ?? (Kind == ProviderKinds.Sixtyfour ? ProviderKinds.SixtyfourBaseUrl : null);
        BaseUri = baseUrl is not null && Uri.TryCreate(WithTrailingSlash(baseUrl), UriKind.Absolute, out var uri) ? uri : null;
        ApiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? null : options.ApiKey.Trim();
        Operations = (options.Operations.Count == 0
            ? ProviderKinds.DefaultOperations(Kind)
            : options.Operations.Select(ProviderKinds.ParseOperation).OfType<EnrichmentOperation>()).ToHashSet();
    }

    public string Name { get; }

    public string Kind { get; }

    /// <summary>The options as configured (kind-specific settings are read from here).</summary>
    public ProviderOptions Configured { get; }

    public ProviderLimits Limits { get; }

    public int MaxAttempts { get; }

    public TimeSpan RetryDelay { get; }

    /// <summary>The base URL with a trailing slash, so relative paths keep its last segment (<c>.../v1/</c>).</summary>
    public Uri? BaseUri { get; }

    public string? ApiKey { get; }

    public IReadOnlySet<EnrichmentOperation> Operations { get; }

    /// <summary>The name of the <see cref="HttpClient"/> a remote provider calls through: <c>provider:NAME</c>.</summary>
    public string HttpClientName => HttpClientNameOf(Name);

    public static string HttpClientNameOf(string provider) => "provider:" + provider;

    public static ResolvedProviderOptions Resolve(string name, ProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ResolvedProviderOptions(name, options);
    }

    /// <summary>A path relative to <see cref="BaseUri"/> (a leading slash is ignored, so <c>/chat/completions</c> stays under <c>/v1/</c>).</summary>
    public Uri Url(string relative) =>
        Uri.TryCreate(relative, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
            ? absolute
            : new Uri(BaseUri ?? throw new InvalidOperationException($"Provider '{Name}' has no BaseUrl."), relative.TrimStart('/'));

    private static string WithTrailingSlash(string url) => url.EndsWith('/') ? url : url + "/";
}
