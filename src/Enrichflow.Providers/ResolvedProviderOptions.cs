using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// One provider's options with the defaults of its kind filled in: what the providers and the HTTP pipeline read.
/// Made from options that <see cref="ProvidersOptionsValidator"/> accepted; <see cref="Configured"/> keeps them as configured.
/// </summary>
public sealed class ResolvedProviderOptions
{
    private ResolvedProviderOptions(string name, ProviderOptions options, ProviderKindDescriptor descriptor)
    {
        Name = name;
        Configured = options;
        Descriptor = descriptor;
        var defaults = descriptor.DefaultLimits;
        Limits = new ProviderLimits(
            options.RequestsPerMinute ?? defaults.RequestsPerMinute,
            options.MaxConcurrency ?? defaults.MaxConcurrency,
            options.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.Timeout,
            options.CreditsPerCall ?? defaults.CreditsPerCall);
        MaxAttempts = options.MaxAttempts ?? 4;
        RetryDelay = TimeSpan.FromMilliseconds(options.RetryDelayMs ?? 1000);
        var baseUrl = options.BaseUrl ?? descriptor.DefaultBaseUrl;
        BaseUri = baseUrl is not null && Uri.TryCreate(WithTrailingSlash(baseUrl), UriKind.Absolute, out var uri) ? uri : null;
        ApiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? null : options.ApiKey.Trim();
        Operations = (options.Operations.Count == 0
            ? descriptor.DefaultOperations
            : options.Operations.Select(EnrichmentOperations.Parse).OfType<EnrichmentOperation>()).ToHashSet();
    }

    public string Name { get; }

    public ProviderKind Kind => Descriptor.Kind;

    /// <summary>The kind's defaults, checks and factory.</summary>
    public ProviderKindDescriptor Descriptor { get; }

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

    /// <summary>The options with their kind's defaults; throws for a kind that is not one (validation reports it first).</summary>
    public static ResolvedProviderOptions Resolve(string name, ProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var descriptor = ProviderKinds.Find(options.Kind)
            ?? throw new InvalidOperationException($"Providers:{name}:Kind '{options.Kind}' is not a provider kind.");
        return new ResolvedProviderOptions(name, options, descriptor);
    }

    /// <summary>A path relative to <see cref="BaseUri"/> (a leading slash is ignored, so <c>/chat/completions</c> stays under <c>/v1/</c>).</summary>
    public Uri Url(string relative) =>
        Uri.TryCreate(relative, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
            ? absolute
            : new Uri(BaseUri ?? throw new InvalidOperationException($"Provider '{Name}' has no BaseUrl."), relative.TrimStart('/'));

    private static string WithTrailingSlash(string url) => url.EndsWith('/') ? url : url + "/";
}
