using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>
/// A run body whose <c>webhook_payload</c> is written row by row as the request is sent (chunked), so rows read from a
/// file or a database never sit whole in memory: <c>{...the request's other fields, "webhook_payload": [row, ...]}</c>.
/// </summary>
internal sealed class RowsContent : HttpContent
{
    private readonly IAsyncEnumerable<JsonObject> _rows;
    private readonly RunRequest _request;
    private readonly CancellationToken _cancellationToken;

    public RowsContent(IAsyncEnumerable<JsonObject> rows, RunRequest request, CancellationToken cancellationToken)
    {
        _rows = rows;
        _request = request with { WebhookPayload = null };
        _cancellationToken = cancellationToken;
        Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, _cancellationToken).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancellationToken);
        var writer = new Utf8JsonWriter(stream);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            var fields = JsonSerializer.SerializeToElement(_request, EnrichflowJsonContext.Default.RunRequest);
            foreach (var field in fields.EnumerateObject())
            {
                field.WriteTo(writer);
            }

            writer.WriteStartArray("webhook_payload");
            await foreach (var row in _rows.WithCancellation(linked.Token).ConfigureAwait(false))
            {
                row.WriteTo(writer);
                if (writer.BytesPending >= 1 << 16)
                {
                    await writer.FlushAsync(linked.Token).ConfigureAwait(false);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            await writer.FlushAsync(linked.Token).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
