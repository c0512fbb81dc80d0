using System.Text.Json;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Results;
using Enrichflow.Hosting.Results;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Webhooks;

/// <summary>
/// Builds the body of one attempt from the run as it is stored: its status, the rows that reached the
/// <c>outgoing_webhook</c> block, every result file with a download link signed now, and the block's first rows
/// when it asked for them (read from its NDJSON result when there is one, else its CSV; never more than 100).
/// </summary>
public sealed class WebhookEnvelopeBuilder(
    IRunStore runs,
    IBlobStore blobs,
    Engine.Results.ResultRenderer renderer,
    DownloadSigner signer,
    IOptions<EnrichflowOptions> options,
    IOptions<WebhookOptions> webhookOptions,
    IServiceProvider services,
    TimeProvider time)
{
    /// <summary>The body for <paramref name="delivery"/>, or null when its run no longer exists.</summary>
    public async Task<WebhookEnvelope?> BuildAsync(WebhookDeliveryRecord delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var run = await runs.GetRunAsync(delivery.RunId, cancellationToken);
        if (run is null || run.OrgId != delivery.OrgId)
        {
            return null;
        }

        var block = (await runs.GetRunBlocksAsync(run.Id, cancellationToken)).FirstOrDefault(b => b.BlockId == delivery.BlockId);
        var files = (await runs.ListResultFilesAsync(run.Id, cancellationToken))
            .OrderBy(f => f.FileName == ResultAssembler.RejectsFileName ? -1 : f.BlockNumber)
            .ThenBy(f => f.Format.ToWire(), StringComparer.Ordinal)
            .ToList();

        var now = time.GetUtcNow();
        var expirySeconds = options.Value.Downloads.ExpirySeconds;
        var expires = now.AddSeconds(expirySeconds);
        var baseUrl = BaseUrl();
        var results = files.Select(file => new ResultFileResponse(
            file.FileName, options.Value.StorageBucket, file.RowCount, file.BlockNumber, file.BlockId, file.CreatedAt,
            file.Message, file.Format.ContentType(), file.Pending ? null : file.FileSize,
            $"{baseUrl}/downloads/{signer.Sign(run.OrgId, run.Id, file.FileName, expires)}", expirySeconds, null)).ToList();

        IReadOnlyList<JsonElement>? rows = null;
        if (delivery.IncludeRows > 0)
        {
            var own = files.Where(f => f.BlockId == delivery.BlockId && f.FileName != ResultAssembler.RejectsFileName).ToList();
            var source = own.FirstOrDefault(f => f.Format == ResultFormat.Ndjson) ?? own.FirstOrDefault(f => f.Format == ResultFormat.Csv);
            rows = source is null ? [] : await ResultFileRows.ReadAsync(blobs, await renderer.EnsureRenderedAsync(run, source, cancellationToken), delivery.IncludeRows, cancellationToken);
        }

        return new WebhookEnvelope(delivery.EventId, delivery.EventType, run.Id, run.WorkflowId, run.Status.ToWire(),
            block?.RowsOut ?? 0, results, rows, now);
    }

    /// <summary>
    /// Where receivers reach this server: <c>Webhooks:PublicBaseUrl</c>, else <c>Server:PublicBaseUrl</c>, else the first
    /// address the HTTP API of this process listens on.
    /// </summary>
    private string BaseUrl()
    {
        if (webhookOptions.Value.PublicBaseUrl is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/');
        }

        if (options.Value.PublicBaseUrl is { } server)
        {
            return server;
        }

        var address = (services.GetService(typeof(IListeningAddress)) as IListeningAddress)?.First;
        if (address is null)
        {
            return "http://127.0.0.1:8080";
        }

        return address.TrimEnd('/')
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://[::1]", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal);
    }
}
