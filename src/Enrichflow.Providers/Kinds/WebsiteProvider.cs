using System.Text.Json.Nodes;
using Enrichflow.Providers.Outbound;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// Fetches the company's own site (the <c>website</c> input, else <c>https://{domain}/</c>) and the configured
/// <c>Paths</c> under it, through the SSRF guard: each URL (and each redirect) is checked with
/// <see cref="OutboundGuard.CheckAsync"/> before any request, and the connection itself goes through
/// <see cref="GuardedHttpHandler"/>. Pages are read up to <c>MaxBytes</c> and parsed by <see cref="WebsitePage"/>;
/// only the requested fields are returned (names it does not know stay null).
/// </summary>
public sealed class WebsiteProvider : RemoteProvider
{
    public const long DefaultMaxBytes = 2 * 1024 * 1024;

    private const int MaxRedirects = 5;

    private readonly OutboundGuard _guard;

    internal WebsiteProvider(ResolvedProviderOptions options, IHttpClientFactory clients, OutboundGuard guard)
        : base(options, clients)
    {
        _guard = guard;
    }

    public override ProviderKind Kind => ProviderKind.Website;

    /// <summary>Request option: read only this page, not the configured <c>Paths</c> under it (<c>scrape_web</c>).</summary>
    public const string SinglePageOption = "single_page";

    /// <summary>Request option: read at most this many bytes of each page (below the provider's <c>MaxBytes</c>).</summary>
    public const string MaxBytesOption = "max_bytes";

    private long MaxBytes => Options.Configured.MaxBytes ?? DefaultMaxBytes;

    private IReadOnlyList<string> Paths => Options.Configured.Paths.Count > 0 ? Options.Configured.Paths : ["/"];

    private long MaxBytesFor(EnrichmentRequest request) =>
        long.TryParse(request.OptionValue(MaxBytesOption), System.Globalization.CultureInfo.InvariantCulture, out var max) && max > 0 ? Math.Min(max, MaxBytes) : MaxBytes;

    public override bool Supports(EnrichmentOperation operation) => Options.Operations.Contains(operation);

    public override async Task<EnrichmentAnswer> CallAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (StartUrl(request) is not { } start)
        {
            return EnrichmentAnswer.NotFound("the input has no website or domain") with { Billable = false };
        }

        var page = new WebsitePage();
        var read = 0;
        var maxBytes = MaxBytesFor(request);
        IReadOnlyList<string> paths = request.OptionValue(SinglePageOption) is "true" ? ["/"] : Paths;
        foreach (var path in paths)
        {
            var reply = await FetchAsync(Under(start, path), maxBytes, cancellationToken);
            if (!reply.IsPage)
            {
                if (read == 0 && path == paths[0])
                {
                    return reply.Answer;
                }

                continue;
            }

            page.Add(reply.Html!, reply.Location!);
            read++;
            if (request.Fields.All(f => EnrichmentAnswer.HasValue(page.Value(f.Name))))
            {
                break;
            }
        }

        var fields = FieldValues.Map(request.Fields, f => Fit(f, page.Value(f.Name)), out var error);
        return fields is null ? EnrichmentAnswer.Failed(error!, billable: true) : EnrichmentAnswer.Of(fields);
    }

    /// <summary>The <c>website</c> input (https assumed when it has no scheme), else <c>https://{domain}/</c>.</summary>
    public static Uri? StartUrl(EnrichmentRequest request)
    {
        var website = request.InputValue(InputKeys.Website)?.Trim();
        if (website is not null)
        {
            var text = website.Contains("://", StringComparison.Ordinal) ? website : "https://" + website;
            return Uri.TryCreate(text, UriKind.Absolute, out var url) ? url : null;
        }

        return InputKeys.NormalizeDomain(request.InputValue(InputKeys.Domain)) is { } domain
            && Uri.TryCreate($"https://{domain}/", UriKind.Absolute, out var home) ? home : null;
    }

    /// <summary><c>/about</c> under <c>https://acme.com/</c> is <c>https://acme.com/about</c>; under <c>http://host/sites/acme/</c> it is <c>http://host/sites/acme/about</c>.</summary>
    public static Uri Under(Uri start, string path)
    {
        var relative = path.Trim().TrimStart('/');
        if (relative.Length == 0)
        {
            return start;
        }

        var directory = start.AbsolutePath.EndsWith('/') ? start : new Uri(start, "./");
        return new Uri(directory, relative);
    }

    /// <summary>Checks, fetches and follows redirects (each target checked again); the page's final URL is in <see cref="PageReply.Location"/>.</summary>
    private async Task<PageReply> FetchAsync(Uri url, long maxBytes, CancellationToken cancellationToken)
    {
        for (var redirects = 0; ; redirects++)
        {
            var check = await _guard.CheckAsync(url, cancellationToken);
            if (!check.IsAllowed)
            {
                return new PageReply(null, EnrichmentAnswer.Failed(check.Message ?? $"{ProviderHttp.Describe(url)} is refused"), 0, null);
            }

            var reply = await Http.GetPageAsync(url, maxBytes, cancellationToken);
            if (reply.IsPage && reply.Html is null && reply.Location is { } next)
            {
                if (redirects >= MaxRedirects)
                {
                    return new PageReply(null, EnrichmentAnswer.Failed($"{ProviderHttp.Describe(url)} redirected more than {MaxRedirects} times"), reply.Status, null);
                }

                url = next;
                continue;
            }

            return reply.IsPage ? reply with { Location = url } : reply;
        }
    }

    /// <summary>A list where one value is asked for gives its first element; the rest is the usual type check.</summary>
    private static JsonNode? Fit(ReturnField field, JsonNode? value) =>
        field.Type == ReturnFieldType.Str && value is JsonArray list ? list.FirstOrDefault()?.DeepClone() : value;
}
