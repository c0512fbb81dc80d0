using System.Text;
using System.Text.Json;

namespace Enrichflow.Server.Apis;

/// <summary>
/// The top-level fields of a stored <c>POST /workflows/interactive/start</c> body, read as a stream (docs/api.md §12):
/// <c>webhook_payload</c> is stepped over token by token, never held; every other field is kept as raw JSON
/// (at most <see cref="MaxFieldBytes"/> each).
/// </summary>
internal sealed record InteractiveStartBody(IReadOnlyDictionary<string, string> Fields, bool PayloadPresent, bool PayloadEmpty)
{
    public const int MaxFieldBytes = 1 << 20;

    /// <summary>Reads <paramref name="body"/>; throws <see cref="JsonException"/> when it is not valid JSON, <see cref="FormatException"/> when it is not an object or a field is too large.</summary>
    public static async Task<InteractiveStartBody> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        var scan = new Scan();
        var buffer = new byte[16 * 1024];
        var length = 0;
        var final = false;
        while (true)
        {
            if (!final)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > MaxFieldBytes + 64)
                    {
                        throw new FormatException($"Field '{scan.Pending}' is larger than {MaxFieldBytes} bytes.");
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                final = read == 0;
                length += read;
            }

            var consumed = scan.Step(buffer.AsSpan(0, length), final);
            if (scan.Done)
            {
                return new InteractiveStartBody(scan.Fields, scan.PayloadPresent, scan.PayloadElements == 0);
            }

            if (final && consumed == 0)
            {
                throw new JsonException("The request body ends before the JSON is complete.");
            }

            buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
            length -= consumed;
        }
    }

    private sealed class Scan
    {
        private JsonReaderState _state;
        private int _payloadDepth = -1;
        private bool _payloadIsList;
        private bool _started;

        public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

        public string? Pending { get; private set; }

        public bool PayloadPresent { get; private set; }

        public long PayloadElements { get; private set; }

        public bool Done { get; private set; }

        /// <summary>Reads what it can of <paramref name="data"/>; returns the bytes consumed (a value it must hold whole is re-read once more data has come).</summary>
        public int Step(ReadOnlySpan<byte> data, bool final)
        {
            var reader = new Utf8JsonReader(data, final, _state);
            while (true)
            {
                var mark = (State: reader.CurrentState, Consumed: reader.BytesConsumed);
                if (!reader.Read())
                {
                    break;
                }

                if (!_started)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new FormatException("The request body must be a JSON object.");
                    }

                    _started = true;
                    continue;
                }

                if (_payloadDepth >= 0)
                {
                    if (_payloadIsList && reader.CurrentDepth == _payloadDepth + 1 && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject or JsonTokenType.PropertyName))
                    {
                        PayloadElements++;
                    }

                    if (reader.CurrentDepth == _payloadDepth && reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject)
                    {
                        _payloadDepth = -1;
                    }

                    continue;
                }

                if (reader.CurrentDepth == 0 && reader.TokenType == JsonTokenType.EndObject)
                {
                    Done = true;
                    break;
                }

                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    Pending = reader.GetString();
                    continue;
                }

                if (Pending == "webhook_payload")
                {
                    PayloadPresent = reader.TokenType != JsonTokenType.Null;
                    if (reader.TokenType is JsonTokenType.StartArray)
                    {
                        _payloadIsList = true;
                        _payloadDepth = reader.CurrentDepth;
                    }
                    else if (reader.TokenType is JsonTokenType.StartObject)
                    {
                        // One object is one row.
                        PayloadElements = 1;
                        _payloadDepth = reader.CurrentDepth;
                    }
                    else
                    {
                        PayloadElements = PayloadPresent ? 1 : 0;
                    }

                    Pending = null;
                    continue;
                }

                var start = (int)reader.TokenStartIndex;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                {
                    // Not all of the value is here yet: read it again from its start with more data.
                    _state = mark.State;
                    return (int)mark.Consumed;
                }

                Fields[Pending!] = Encoding.UTF8.GetString(data[start..(int)reader.BytesConsumed]);
                Pending = null;
            }

            _state = reader.CurrentState;
            return (int)reader.BytesConsumed;
        }
    }
}
