using System.Buffers;
using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Engine.Results;

/// <summary>One line of <c>rejects.ndjson</c>: <c>{block_id, reason, row_index, row, ...}</c> (docs/api.md §3.1).</summary>
public static class RejectsFormat
{
    public static void Write(IBufferWriter<byte> buffer, string blockId, IReadOnlyList<RejectedRow> rejects)
    {
        foreach (var reject in rejects)
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = RowValues.Encoder }))
            {
                writer.WriteStartObject();
                writer.WriteString("block_id", blockId);
                writer.WriteString("reason", reject.Reason);
                writer.WriteNumber("row_index", reject.RowIndex);
                if (reject.Line is long line)
                {
                    writer.WriteNumber("line", line);
                }

                if (reject.Edge is not null)
                {
                    writer.WriteString("edge", reject.Edge);
                }

                if (reject.Failed)
                {
                    writer.WriteBoolean("failed", true);
                }

                foreach (var (name, value) in reject.Details ?? new Dictionary<string, object?>())
                {
                    writer.WritePropertyName(name);
                    RowValues.Write(writer, value);
                }

                writer.WritePropertyName("row");
                if (reject.Row is not null)
                {
                    RowValues.WriteRow(writer, reject.Row);
                }
                else if (reject.Raw is not null)
                {
                    writer.WriteStartObject();
                    writer.WriteString("raw", reject.Raw);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteNullValue();
                }

                writer.WriteEndObject();
            }

            buffer.Write("\n"u8);
        }
    }
}
