using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;

namespace Enrichflow.Client;

/// <summary>
/// A typed client of the Enrichflow HTTP API (docs/api.md), which is Sixtyfour's Workflows API plus Enrichflow's
/// additions: the same calls work against Sixtyfour's hosted API for the endpoints both have. Every method sends
/// <c>x-api-key</c>, throws <see cref="EnrichflowApiException"/> (status and <c>detail</c>) when the API refuses, and
/// <see cref="HttpRequestException"/> when the server cannot be reached. The <see cref="HttpClient"/> is the caller's
/// (from <c>IHttpClientFactory</c> or shared); the client sets nothing on it.
/// </summary>
public sealed partial class EnrichflowClient
{
    private const string ApiKeyHeader = "x-api-key";

    private readonly HttpClient _http;
    private readonly EnrichflowClientOptions _options;
    private readonly Uri _base;

    public EnrichflowClient(HttpClient http, EnrichflowClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.BaseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException($"BaseAddress '{options.BaseAddress}' is not an absolute URL.", nameof(options));
        }

        _http = http;
        _options = options;
        // A base with a path (https://host/api) keeps it: routes are resolved relative to "https://host/api/".
        _base = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
    }

    /// <summary>The API's address, as the options gave it.</summary>
    public Uri BaseAddress => _options.BaseAddress;

    private HttpRequestMessage Request(HttpMethod method, string route, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(_base, route.TrimStart('/'))) { Content = content };
        request.Headers.Add(ApiKeyHeader, _options.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private static JsonContent Json<T>(T value, JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(request, response, cancellationToken).ConfigureAwait(false);
            var value = await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
            return value ?? throw new EnrichflowApiException(response.StatusCode, new Models.ApiErrorDetail("The answer had no body.", [], []), request.Method.Method, request.RequestUri);
        }
    }

    /// <summary>A request whose answer is JSON <c>null</c> or absent (204) as well as a value.</summary>
    private async Task<T?> SendOrNullAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(request, response, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return string.IsNullOrWhiteSpace(text) ? null : System.Text.Json.JsonSerializer.Deserialize(text, type);
        }
    }

    private async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(request, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task EnsureSuccessAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw new EnrichflowApiException(response.StatusCode, EnrichflowApiException.ReadDetail(body, response.StatusCode), request.Method.Method, request.RequestUri)
        {
            RetryAfter = response.Headers.RetryAfter?.Delta,
        };
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
