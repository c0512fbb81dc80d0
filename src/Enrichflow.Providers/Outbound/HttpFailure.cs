using System.Net;
using Polly;
using Polly.Timeout;

namespace Enrichflow.Providers.Outbound;

/// <summary>How an outbound HTTP attempt failed.</summary>
public enum HttpFailureKind
{
    /// <summary>The other side answered with a status that is not 2xx.</summary>
    Status,

    /// <summary>No answer: the connection failed or broke off.</summary>
    Network,

    /// <summary>No answer within the attempt's timeout.</summary>
    Timeout,

    /// <summary>The SSRF guard refused the address (docs/api.md §6): permanent until the configuration changes.</summary>
    Refused,
}

/// <summary>
/// The one classifier of failed outbound HTTP attempts (export, webhooks, providers): what went wrong and, as a
/// property, whether another attempt may help. Transient: network errors, timeouts, 408, 429 and 5xx; permanent:
/// every other status (3xx and 4xx) and a refusal by the SSRF guard.
/// </summary>
/// <param name="Kind">What went wrong.</param>
/// <param name="Status">The status of an answer (<see cref="HttpFailureKind.Status"/>); 0 when there was none.</param>
/// <param name="Message">The exception's message (for a refusal, the guard's); empty for a status.</param>
public readonly record struct HttpFailure(HttpFailureKind Kind, int Status, string Message)
{
    /// <summary>
    /// For a <see cref="HttpFailureKind.Network"/> failure: true when no request went out (the name did not resolve, the
    /// connection or its TLS handshake failed), so the other side cannot have acted on it.
    /// </summary>
    public bool NotSent { get; init; }

    /// <summary>
    /// True when the other side may have received the request and acted on it, though no answer says what it did: a
    /// timeout, a connection that broke after the request was sent, or a 504 (a gateway gave up waiting for it). A paid
    /// call that failed so may have been charged, and sending it again may pay twice. Every answer the other side gave
    /// itself (408, 429, 500, 503, ...) says the request was not done, and no attempt refused by the guard was sent.
    /// </summary>
    public bool OutcomeUnknown => Kind switch
    {
        HttpFailureKind.Timeout => true,
        HttpFailureKind.Network => !NotSent,
        HttpFailureKind.Status => Status == (int)HttpStatusCode.GatewayTimeout,
        _ => false,
    };

    /// <summary>Worth another attempt: a network error, a timeout, 408, 429 or 5xx.</summary>
    public bool IsTransient => Kind switch
    {
        HttpFailureKind.Status => IsTransientStatus(Status),
        HttpFailureKind.Network or HttpFailureKind.Timeout => true,
        _ => false,
    };

    /// <summary>An answer with <paramref name="status"/> (a 2xx is no failure; callers check success first).</summary>
    public static HttpFailure FromStatus(int status) => new(HttpFailureKind.Status, status, "");

    /// <inheritdoc cref="FromStatus(int)"/>
    public static HttpFailure FromStatus(HttpStatusCode status) => FromStatus((int)status);

    /// <summary>
    /// What <paramref name="error"/>, thrown by an attempt, says: a refusal by the guard (anywhere in its inner
    /// exceptions), a timeout (an <see cref="OperationCanceledException"/> while <paramref name="cancellationToken"/>,
    /// the caller's, is not cancelled, or Polly's <see cref="TimeoutRejectedException"/>) or a network error
    /// (<see cref="HttpRequestException"/>, <see cref="IOException"/>). Null for the caller's own cancellation and for
    /// exceptions that are not HTTP failures: those are not this classifier's to decide.
    /// </summary>
    public static HttpFailure? FromException(Exception error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        for (var inner = error; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundRefusedException refused)
            {
                return new HttpFailure(HttpFailureKind.Refused, 0, refused.Message);
            }
        }

        return error switch
        {
            OperationCanceledException when cancellationToken.IsCancellationRequested => null,
            OperationCanceledException or TimeoutRejectedException => new HttpFailure(HttpFailureKind.Timeout, 0, error.Message),
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError }
                => new HttpFailure(HttpFailureKind.Network, 0, error.Message) { NotSent = true },
            HttpRequestException or IOException => new HttpFailure(HttpFailureKind.Network, 0, error.Message),
            _ => null,
        };
    }

    /// <summary>
    /// What a resilience pipeline's outcome says: null for a 2xx answer and for exceptions that are not HTTP
    /// failures (<see cref="FromException"/>), else the failure.
    /// </summary>
    public static HttpFailure? FromOutcome(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken) => outcome switch
    {
        { Result: { IsSuccessStatusCode: true } } => null,
        { Result: { } response } => FromStatus(response.StatusCode),
        { Exception: { } exception } => FromException(exception, cancellationToken),
        _ => null,
    };

    /// <summary>408, 429 and 5xx: the statuses another attempt may get past.</summary>
    public static bool IsTransientStatus(int status) => status is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500;
}
