using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Enrichflow.Providers.Outbound;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Blocks.Export;

/// <summary>
/// Delivers one batch at a time to an export destination through the guarded <c>outbound</c> client: builds the
/// body once, then attempts the POST until it is acknowledged, rejected, refused or the attempts run out.
/// </summary>
internal sealed class ExportSender : IDisposable
{
    private const int MaxBodyInReason = 200;
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly ExportSettings _settings;
    private readonly BlockRunContext _context;
    private readonly ILogger _logger;
    private readonly HttpClient _client;

    public ExportSender(ExportSettings settings, BlockRunContext context, ILogger logger)
    {
        _settings = settings;
        _context = context;
        _logger = logger;
        _client = context.Services.GetRequiredService<IHttpClientFactory>().CreateClient(OutboundServiceCollectionExtensions.HttpClientName);
        _client.Timeout = Timeout.InfiniteTimeSpan; // each attempt has its own timeout
    }

    public async Task<DeliveryAttempt> DeliverAsync(long batch, List<Row> rows, CancellationToken cancellationToken)
    {
        var body = Body(batch, rows);
        var key = ExportBatches.Key(_context.RunId, _context.BlockId, batch);
        for (var attempt = 1; ; attempt++)
        {
            var result = await AttemptAsync(body, key, cancellationToken);
            if (!result.IsTransient)
            {
                return result;
            }

            if (attempt >= _settings.MaxAttempts)
            {
                ExportLog.BatchFailed(_logger, _context.RunId, _context.BlockId, batch, attempt, result.ForLog);
                return result with { Reason = $"{result.Reason} (gave up after {attempt} attempts)" };
            }

            var delay = ExportBackoff.Delay(attempt + 1, _settings.RetryDelay, result.RetryAfter);
            ExportLog.Retrying(_logger, _context.RunId, _context.BlockId, batch, attempt, result.ForLog, delay);
            await Task.Delay(delay, _context.Time, cancellationToken);
        }
    }

    private async Task<DeliveryAttempt> AttemptAsync(byte[] body, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _settings.Url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        foreach (var (name, value) in _settings.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.Timeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var text = response.IsSuccessStatusCode ? "" : await ReadStartAsync(response, timeout.Token);
            return DeliveryAttempt.FromStatus(response.StatusCode, text, RetryAfter.Parse(response.Headers, _context.Time));
        }
        catch (Exception e) when (HttpFailure.FromException(e, cancellationToken) is { } failure)
        {
            return DeliveryAttempt.FromFailure(failure, _settings.Timeout);
        }
    }

    /// <summary>The body as the API documents it: <c>{run_id, block_id, batch, rows: [...]}</c>, values keeping their JSON types.</summary>
    private byte[] Body(long batch, List<Row> rows)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, rows.Count * 128));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("run_id", _context.RunId);
            writer.WriteString("block_id", _context.BlockId);
            writer.WriteNumber("batch", batch);
            writer.WriteStartArray("rows");
            foreach (var row in rows)
            {
                RowValues.WriteRow(writer, row);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The start of an error answer, on one line, for the reason shown with the failed rows.</summary>
    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var bytes = new byte[MaxBodyInReason * 4];
            var read = 0;
            int n;
            while (read < bytes.Length && (n = await stream.ReadAsync(bytes.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }

            var text = Encoding.UTF8.GetString(bytes, 0, read).ReplaceLineEndings(" ").Trim();
            return text.Length > MaxBodyInReason ? text[..MaxBodyInReason] + "…" : text;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
    }

    public void Dispose() => _client.Dispose();
}
