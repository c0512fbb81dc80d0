using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Providers.Outbound;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Blocks.Slack;

/// <summary>
/// Posts one message to a configured incoming webhook: through the outbound guard and the guarded <c>outbound</c>
/// client, in the webhook's turn (<see cref="SlackPacer"/>), retrying 429 after its <c>Retry-After</c> and 408, 5xx
/// and network errors with doubling waits. Answers null when Slack took the message, else why not.
/// </summary>
internal sealed partial class SlackSender(IServiceProvider services, TimeProvider time)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly SlackOptions _options = services.GetRequiredService<IOptions<SlackOptions>>().Value;

    private readonly ILogger _logger = services.GetService<ILoggerFactory>()?.CreateLogger<SlackSender>() ?? (ILogger)NullLogger.Instance;

    public async Task<string?> SendAsync(string webhook, JsonObject message, string blockId, CancellationToken cancellationToken)
    {
        if (!_options.Webhooks.TryGetValue(webhook, out var configured) || !Uri.TryCreate(configured, UriKind.Absolute, out var url))
        {
            return $"webhook '{webhook}' is not configured (Slack:Webhooks:{webhook})";
        }

        var check = await services.GetRequiredService<OutboundGuard>().CheckAsync(url, cancellationToken);
        if (!check.IsAllowed && !check.IsTransient)
        {
            return $"webhook '{webhook}': {Redact(check.Message ?? "refused", url)}";
        }

        var body = message.ToJsonString();
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(OutboundServiceCollectionExtensions.HttpClientName);
        client.Timeout = Timeout.InfiniteTimeSpan;
        using var turn = await services.GetRequiredService<SlackPacer>().TurnAsync(webhook, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            await turn.BeforePostAsync(cancellationToken);
            var (status, retryAfter, reason) = await PostAsync(client, url, body, cancellationToken);
            turn.Posted(status == 429 ? retryAfter ?? TimeSpan.FromSeconds(1) : null);
            if (status is >= 200 and < 300)
            {
                return null;
            }

            var transient = status is 0 or 408 or 429 or >= 500;
            // Never the URL: it is the secret.
            var why = status <= 0 ? Redact(reason!, url) : $"Slack answered HTTP {status}{(reason is { Length: > 0 } ? $" ({reason})" : "")}";
            if (!transient || attempt >= _options.MaxAttempts)
            {
                SlackLog.MessageFailed(_logger, blockId, webhook, attempt, why);
                return transient ? $"webhook '{webhook}': {why} (gave up after {attempt} attempts)" : $"webhook '{webhook}': {why}";
            }

            if (status != 429)
            {
                var delay = TimeSpan.FromMilliseconds(_options.RetryDelayMs * Math.Pow(2, attempt - 1));
                SlackLog.Retrying(_logger, blockId, webhook, attempt, why, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
            else
            {
                SlackLog.Retrying(_logger, blockId, webhook, attempt, why, retryAfter ?? TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>A message about the webhook's URL with the URL's path (its secret part) left out.</summary>
    private static string Redact(string message, Uri url) =>
        message.Replace(url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped), url.GetLeftPart(UriPartial.Authority) + "/…", StringComparison.Ordinal)
            .Replace(url.AbsoluteUri, url.GetLeftPart(UriPartial.Authority) + "/…", StringComparison.Ordinal);

    private async Task<(int Status, TimeSpan? RetryAfter, string? Reason)> PostAsync(HttpClient client, Uri url, string body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body) };
        request.Content.Headers.ContentType = Json;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var text = response.IsSuccessStatusCode ? null : (await response.Content.ReadAsStringAsync(timeout.Token)).ReplaceLineEndings(" ").Trim();
            return ((int)response.StatusCode, RetryAfter.Parse(response.Headers, time), text is { Length: > 200 } ? text[..200] + "…" : text);
        }
        catch (Exception e) when (HttpFailure.FromException(e, cancellationToken) is { } failure)
        {
            // 0: worth another attempt; -1: refused by the outbound guard, which no retry changes.
            return failure.Kind switch
            {
                HttpFailureKind.Refused => (-1, null, failure.Message),
                HttpFailureKind.Timeout => (0, null, $"no answer within {_options.TimeoutSeconds} s"),
                _ => (0, null, $"network error: {failure.Message}"),
            };
        }
    }

    private static partial class SlackLog
    {
        [LoggerMessage(EventId = LogEvents.SlackRetrying, Level = LogLevel.Warning, Message = "send_slack_message block {BlockId}, webhook {Webhook}: attempt {Attempt} failed ({Reason}); retrying in {Delay}")]
        public static partial void Retrying(ILogger logger, string blockId, string webhook, int attempt, string reason, TimeSpan delay);

        [LoggerMessage(EventId = LogEvents.SlackMessageFailed, Level = LogLevel.Warning, Message = "send_slack_message block {BlockId}, webhook {Webhook}: message not sent after {Attempts} attempts: {Reason}")]
        public static partial void MessageFailed(ILogger logger, string blockId, string webhook, int attempts, string reason);
    }
}
