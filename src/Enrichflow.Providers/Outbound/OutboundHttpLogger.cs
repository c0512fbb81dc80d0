using System.Diagnostics;
using Enrichflow.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Providers.Outbound;

/// <summary>
/// The only log of Enrichflow's outbound HTTP attempts (providers, export, webhooks, Slack), in place of the
/// HttpClient factory's own, which writes whole request URIs (paths and queries holding tokens and row values) at
/// Information. One Debug line per attempt: the client (a provider's name, or <c>outbound</c>), the method, the
/// host and port, the status or the kind of failure, and the duration. Never a path, a query, a header or a body.
/// </summary>
public sealed partial class OutboundHttpLogger(string client, ILogger logger, EnrichflowMetrics? metrics = null) : IHttpClientLogger
{
    /// <summary>The log category: <c>Enrichflow.Outbound</c>.</summary>
    public const string Category = "Enrichflow.Outbound";

    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        metrics?.OutboundAttempt(client, (int)response.StatusCode, elapsed);
        Attempt(logger, client, request.Method.Method, HostOf(request), (int)response.StatusCode, (long)elapsed.TotalMilliseconds);
    }

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(exception);
        metrics?.OutboundAttempt(client, response is null ? null : (int)response.StatusCode, elapsed);
        AttemptFailed(logger, client, request.Method.Method, HostOf(request), FailureOf(exception), (long)elapsed.TotalMilliseconds);
    }

    /// <summary>Host and port only: user info, path, query and fragment may carry keys and row values.</summary>
    internal static string HostOf(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } url ? url.GetComponents(UriComponents.HostAndPort, UriFormat.UriEscaped) : "(no host)";

    /// <summary>What kind of failure, never its message (a guard's refusal names the URL).</summary>
    private static string FailureOf(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is OutboundRefusedException)
            {
                return "refused by the outbound guard";
            }
        }

        return exception switch
        {
            HttpRequestException { HttpRequestError: var error } => $"HttpRequestException ({error})",
            _ => exception.GetType().Name,
        };
    }

    [LoggerMessage(EventId = LogEvents.OutboundAttempt, Level = LogLevel.Debug, Message = "{Client}: {Method} {Host} answered {Status} in {ElapsedMs} ms")]
    private static partial void Attempt(ILogger logger, string client, string method, string host, int status, long elapsedMs);

    [LoggerMessage(EventId = LogEvents.OutboundAttemptFailed, Level = LogLevel.Debug, Message = "{Client}: {Method} {Host} failed after {ElapsedMs} ms: {Failure}")]
    private static partial void AttemptFailed(ILogger logger, string client, string method, string host, string failure, long elapsedMs);
}

/// <summary>Puts <see cref="OutboundHttpLogger"/> on an <see cref="HttpClient"/> in place of the factory's loggers.</summary>
public static class OutboundHttpLoggerExtensions
{
    /// <summary>Removes every other logger of the client and logs its attempts as <paramref name="client"/>.</summary>
    public static IHttpClientBuilder AddOutboundLogger(this IHttpClientBuilder builder, string client)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .RemoveAllLoggers()
            .AddLogger(sp => new OutboundHttpLogger(client, sp.GetRequiredService<ILoggerFactory>().CreateLogger(OutboundHttpLogger.Category), sp.GetService<EnrichflowMetrics>()));
    }
}
