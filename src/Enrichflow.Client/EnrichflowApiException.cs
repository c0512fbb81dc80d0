using System.Net;
using System.Text.Json;
using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>
/// The API refused a request: its status code and its <c>detail</c> (docs/api.md §1), which is either a sentence
/// (<see cref="ApiErrorDetail.Text"/>) or FastAPI's validation list (<see cref="ApiErrorDetail.Items"/>).
/// </summary>
public sealed class EnrichflowApiException : Exception
{
    public EnrichflowApiException(HttpStatusCode statusCode, ApiErrorDetail detail, string method, Uri? requestUri)
        : base(Describe(statusCode, detail, method, requestUri))
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The answer's <c>detail</c>, with a definition's <c>errors</c> list when the API sent one (a 400 of §2.1).</summary>
    public ApiErrorDetail Detail { get; }

    /// <summary>The <c>Retry-After</c> of a 429, when the API sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    private static string Describe(HttpStatusCode statusCode, ApiErrorDetail detail, string method, Uri? requestUri) =>
        $"{method} {requestUri?.AbsolutePath} answered {(int)statusCode}: {detail}";

    /// <summary>Reads an error answer's body: <c>{"detail": "..."}</c>, <c>{"detail": [{loc, msg, type}], ...}</c>, or anything else as text.</summary>
    internal static ApiErrorDetail ReadDetail(string body, HttpStatusCode statusCode)
    {
        try
        {
            var error = JsonSerializer.Deserialize(body, EnrichflowJsonContext.Default.ErrorBody);
            if (error?.Detail is { ValueKind: JsonValueKind.String } text)
            {
                return new ApiErrorDetail(text.GetString(), [], error.Errors ?? []);
            }

            if (error?.Detail is { ValueKind: JsonValueKind.Array } list)
            {
                var items = list.Deserialize(EnrichflowJsonContext.Default.ListApiErrorItem) ?? [];
                return new ApiErrorDetail(null, items, error.Errors ?? []);
            }
        }
        catch (JsonException)
        {
        }

        var trimmed = body.Trim();
        return new ApiErrorDetail(trimmed.Length == 0 ? $"HTTP {(int)statusCode} {statusCode}" : trimmed[..Math.Min(trimmed.Length, 500)], [], []);
    }
}
