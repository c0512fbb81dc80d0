using System.Text.Json;
using System.Text.Json.Serialization;
using Enrichflow.Hosting.Results;

namespace Enrichflow.Hosting.Webhooks;

/// <summary>
/// The body of a delivery (docs/api.md §6): <c>{event_id, event_type, run_id, workflow_id, status, row_count, results:
/// [ResultFile], rows?, sent_at}</c>. <c>rows</c> is present only when the block asked for rows inline.
/// </summary>
public sealed record WebhookEnvelope(
    string EventId,
    string EventType,
    Guid RunId,
    string WorkflowId,
    string Status,
    long RowCount,
    IReadOnlyList<ResultFileResponse> Results,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JsonElement>? Rows,
    DateTimeOffset SentAt)
{
    /// <summary>The serializer settings of the body: the API's (snake_case, times in UTC with <c>Z</c>).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new UtcTimeConverter() },
    };

    public byte[] ToUtf8Bytes() => JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions);
}
