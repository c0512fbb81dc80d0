using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Providers.Outbound;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// Sends one provider request through its named client (retries, attempt timeout and rate limit happen in the
/// pipeline) and turns every way it can end into a <see cref="JsonReply"/>: the JSON of a 2xx answer, or an answer
/// that says what went wrong ("HTTP 500 after 4 attempts: …", "timed out after 60 s (4 attempts)", "answered
/// malformed JSON: …"); the website provider's pages are in <c>ProviderHttp.Page.cs</c>. A 401/403 throws
/// <see cref="ProviderRefusedException"/>, a 402 <see cref="ProviderPaymentRequiredException"/>; a 3xx is a failure
/// naming the redirect's target, never followed (a request with the key goes to the configured host only); the caller's
/// cancellation throws <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed partial class ProviderHttp(ResolvedProviderOptions options, IHttpClientFactory clients)
{
    /// <summary>The largest JSON answer read (bigger ones fail: no enrichment answer is that big).</summary>
    public const int MaxJsonBytes = 32 * 1024 * 1024;

    private const int MaxDetailLength = 300;

    public ResolvedProviderOptions Options { get; } = options;

    public HttpClient CreateClient() => clients.CreateClient(Options.HttpClientName);

    /// <summary>A JSON request with the body serialized from <paramref name="body"/> (null: no body).</summary>
    public static HttpRequestMessage JsonRequest(HttpMethod method, Uri url, JsonNode? body)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return request;
    }

    public async Task<JsonReply> SendJsonAsync(HttpRequestMessage request, IReadOnlyCollection<int>? notFoundStatuses, CancellationToken cancellationToken)
    {
        var attempts = AttemptCounter.For(request);
        var (response, failure) = await TrySendAsync(request, attempts, cancellationToken);
        if (response is null)
        {
            return new JsonReply(null, failure, 0);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                return new JsonReply(null, Redirected(status, request.RequestUri, response.Headers.Location), status);
            }

            var (bytes, readFailure) = await ReadBodyAsync(response, MaxJsonBytes, truncate: false, attempts, cancellationToken);
            if (readFailure is not null)
            {
                return new JsonReply(null, readFailure, status);
            }

            var text = Encoding.UTF8.GetString(bytes);
            if (!response.IsSuccessStatusCode)
            {
                return new JsonReply(null, Unsuccessful(status, text, attempts, notFoundStatuses, request), status);
            }

            var (json, bad) = ParseJson(text, response, status);
            return new JsonReply(json, bad, status);
        }
    }

    /// <summary>The provider's own words from an error body: <c>detail</c>, <c>error.message</c>, <c>error</c> or <c>message</c>, else the text; at most 300 characters.</summary>
    public static string Detail(string body)
    {
        var text = body.Trim();
        try
        {
            if (text.StartsWith('{') && JsonNode.Parse(text) is JsonObject json)
            {
                var detail = json["detail"] ?? (json["error"] is JsonObject error ? error["message"] : json["error"]) ?? json["message"];
                if (detail is not null)
                {
                    text = detail.GetValueKind() == JsonValueKind.String ? detail.GetValue<string>() : detail.ToJsonString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the text it is.
        }

        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length == 0)
        {
            return "(no details)";
        }

        return text.Length <= MaxDetailLength ? text : text[..MaxDetailLength] + "…";
    }

    /// <summary>A URL as messages show it: without query or user info (they may carry keys).</summary>
    public static string Describe(Uri url) => OutboundGuard.Describe(url);

    private async Task<(HttpResponseMessage? Response, EnrichmentAnswer? Failure)> TrySendAsync(HttpRequestMessage request, AttemptCounter attempts, CancellationToken cancellationToken)
    {
        try
        {
            var client = CreateClient();
            return (await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken), null);
        }
        catch (Exception e) when (HttpFailure.FromException(e, cancellationToken) is { } failure)
        {
            if (ProviderRetries.WithheldRetry(failure, request, Options.Descriptor, Options.MaxAttempts, attempts.Count))
            {
                var what = failure.Kind == HttpFailureKind.Timeout
                    ? $"timed out after {Seconds(Options.Limits.Timeout)} s"
                    : $"broke off after the request was sent ({attempts.Describe()}): {failure.Message}";
                return (null, EnrichmentAnswer.Failed($"{what}; {ProviderRetries.NotRetriedReason}") with { NotRetried = true });
            }

            return (null, EnrichmentAnswer.Failed(failure.Kind switch
            {
                HttpFailureKind.Timeout => $"timed out after {Seconds(Options.Limits.Timeout)} s ({attempts.Describe()})",
                HttpFailureKind.Refused => failure.Message,
                _ => $"could not be reached ({attempts.Describe()}): {failure.Message}",
            }));
        }
    }

    /// <summary>Reads the body within the attempt timeout; past <paramref name="maxBytes"/> it fails, or is cut off when <paramref name="truncate"/>.</summary>
    private async Task<(byte[] Bytes, EnrichmentAnswer? Failure)> ReadBodyAsync(HttpResponseMessage response, long maxBytes, bool truncate, AttemptCounter attempts, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Limits.Timeout);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                var room = maxBytes - buffer.Length;
                if (read > room)
                {
                    if (!truncate)
                    {
                        return ([], EnrichmentAnswer.Failed($"answered more than {maxBytes} bytes", billable: response.IsSuccessStatusCode));
                    }

                    buffer.Write(chunk, 0, (int)room);
                    break;
                }

                buffer.Write(chunk, 0, read);
            }

            return (buffer.ToArray(), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return ([], EnrichmentAnswer.Failed($"timed out after {Seconds(Options.Limits.Timeout)} s reading the answer ({attempts.Describe()})", billable: response.IsSuccessStatusCode));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return ([], EnrichmentAnswer.Failed($"broke off the answer: {e.Message}", billable: response.IsSuccessStatusCode));
        }
    }

    /// <summary>
    /// A provider's 3xx is a failure, never followed (the handler does not follow redirects): the request carries
    /// the provider's key, which must not go to whatever host the answer names.
    /// </summary>
    private static EnrichmentAnswer Redirected(int status, Uri? requested, Uri? location)
    {
        var target = location is null ? null : requested is not null && !location.IsAbsoluteUri ? new Uri(requested, location) : location;
        return EnrichmentAnswer.Failed(target is null
            ? $"answered HTTP {status}, a redirect, which is not followed (check the provider's BaseUrl)"
            : $"answered HTTP {status}, a redirect to {Describe(target)}, which is not followed (check the provider's BaseUrl)");
    }

    private EnrichmentAnswer Unsuccessful(int status, string body, AttemptCounter attempts, IReadOnlyCollection<int>? notFoundStatuses, HttpRequestMessage request)
    {
        var detail = Detail(body);
        if (status is 401 or 403)
        {
            throw new ProviderRefusedException(Options.Name, status, detail);
        }

        if (status == 402)
        {
            throw new ProviderPaymentRequiredException(Options.Name, detail);
        }

        if (notFoundStatuses?.Contains(status) == true)
        {
            return EnrichmentAnswer.NotFound($"HTTP {status}: {detail}");
        }

        if (ProviderRetries.WithheldRetry(HttpFailure.FromStatus(status), request, Options.Descriptor, Options.MaxAttempts, attempts.Count))
        {
            return EnrichmentAnswer.Failed($"HTTP {status}: {detail}; {ProviderRetries.NotRetriedReason}") with { NotRetried = true };
        }

        return EnrichmentAnswer.Failed(WithAttempts($"HTTP {status}", status, attempts) + ": " + detail);
    }

    private static (JsonNode? Json, EnrichmentAnswer? Failure) ParseJson(string text, HttpResponseMessage response, int status)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            return (null, EnrichmentAnswer.Failed("answered an empty body", billable: true));
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true || trimmed[0] == '<')
        {
            return (null, EnrichmentAnswer.Failed($"answered an HTML page instead of JSON (HTTP {status})", billable: true));
        }

        try
        {
            return JsonNode.Parse(text) is { } json
                ? (json, null)
                : (null, EnrichmentAnswer.Failed("answered JSON null instead of an object", billable: true));
        }
        catch (JsonException e)
        {
            return (null, EnrichmentAnswer.Failed($"answered malformed JSON: {e.Message}", billable: true));
        }
    }

    /// <summary>"HTTP 500 after 4 attempts" for a status the pipeline retries, once it gave up; "HTTP 422" otherwise.</summary>
    private static string WithAttempts(string what, int status, AttemptCounter attempts) =>
        HttpFailure.FromStatus(status).IsTransient && attempts.Count > 1 ? $"{what} after {attempts.Describe()}" : what;

    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
