using System.Text;

namespace Enrichflow.Providers;

/// <summary>The website provider's GET of a page: its HTML, a redirect's target, or the answer it already is.</summary>
internal sealed partial class ProviderHttp
{
    /// <summary>
    /// A GET of a web page: 2xx HTML (at most <paramref name="maxBytes"/>, the rest cut off), a redirect's target in
    /// <see cref="PageReply.Location"/>, or an answer (404/410 not found, other statuses failed; 401/403 from a
    /// website is the site's business, not a refused key, so it does not throw).
    /// </summary>
    public async Task<PageReply> GetPageAsync(Uri url, long maxBytes, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml;q=0.9,*/*;q=0.1");
        request.Headers.UserAgent.ParseAdd("Enrichflow/1.0 (+website enrichment)");
        var attempts = AttemptCounter.For(request);
        var (response, failure) = await TrySendAsync(request, attempts, cancellationToken);
        if (response is null)
        {
            return new PageReply(null, failure, 0, null);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                return new PageReply(null, null, status, location.IsAbsoluteUri ? location : new Uri(url, location));
            }

            if (!response.IsSuccessStatusCode)
            {
                return new PageReply(null, status is 404 or 410
                    ? EnrichmentAnswer.NotFound($"{Describe(url)} answered HTTP {status}")
                    : EnrichmentAnswer.Failed(WithAttempts($"{Describe(url)} answered HTTP {status}", status, attempts)), status, null);
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && !mediaType.Contains("html", StringComparison.OrdinalIgnoreCase))
            {
                return new PageReply(null, EnrichmentAnswer.NotFound($"{Describe(url)} is {mediaType}, not an HTML page"), status, null);
            }

            var (bytes, readFailure) = await ReadBodyAsync(response, maxBytes, truncate: true, attempts, cancellationToken);
            return readFailure is not null
                ? new PageReply(null, readFailure, status, null)
                : new PageReply(Decode(bytes, response), null, status, null);
        }
    }

    private static string Decode(byte[] bytes, HttpResponseMessage response)
    {
        var charset = response.Content.Headers.ContentType?.CharSet?.Trim('"');
        try
        {
            return (charset is null ? Encoding.UTF8 : Encoding.GetEncoding(charset)).GetString(bytes);
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8.GetString(bytes);
        }
    }
}
