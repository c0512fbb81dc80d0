using System.Text;
using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Sources;

/// <summary>What the JSON is: a run's request body (an object holding <c>webhook_payload</c>) or an array of rows.</summary>
internal enum JsonRoot { PayloadObject, Array }

internal enum JsonStep { Element, NeedMoreData, End }

/// <summary>
/// The synchronous heart of the streaming JSON readers: each <see cref="Step"/> runs a fresh
/// <see cref="Utf8JsonReader"/> over the buffer from the saved state until one element is complete, more data is
/// needed, or the input ends. An element is materialised only once it is entirely in the buffer
/// (<see cref="Utf8JsonReader.TrySkip"/>); otherwise the reader rewinds to before the element and asks for more.
/// In scan mode elements are skipped token by token, so the buffer never has to hold one whole.
/// </summary>
internal sealed class JsonElementParser(JsonRoot root, bool scanOnly)
{
    /// <summary>The largest <c>specs_override</c> or <c>cache_config</c> a scan captures.</summary>
    public const int MaxCapturedBytes = 1024 * 1024;

    private Phase _phase = Phase.Root;
    private Phase _afterSkip;
    private int _skipDepth;
    private string _captureName = "";

    private enum Phase { Root, Properties, PayloadValue, Array, SkipValue, Skip, Capture, Done }

    /// <summary>The number of elements seen.</summary>
    public long Count { get; private set; }

    public long? FirstNonObjectIndex { get; private set; }

    public string? FirstNonObjectKind { get; private set; }

    public bool PayloadPresent { get; private set; }

    /// <summary>True when the input held no JSON at all (empty or only whitespace).</summary>
    public bool IsEmptyInput { get; private set; }

    public string? SpecsOverrideJson { get; private set; }

    public string? CacheConfigJson { get; private set; }

    /// <summary>The body's <c>max_credits</c> as raw JSON, when present.</summary>
    public string? MaxCreditsJson { get; private set; }

    public JsonStep Step(JsonStreamBuffer buffer, out PayloadElement element)
    {
        element = default;
        if (_phase == Phase.Root && !SkipPreamble(buffer))
        {
            return IsEmptyInput ? JsonStep.End : JsonStep.NeedMoreData;
        }

        var reader = new Utf8JsonReader(buffer.Pending, buffer.IsFinal, buffer.State);
        try
        {
            while (true)
            {
                var checkpoint = reader.BytesConsumed;
                var checkpointState = reader.CurrentState;
                if (!reader.Read())
                {
                    buffer.Advance(checkpoint, checkpointState);
                    if (!buffer.IsFinal)
                    {
                        return JsonStep.NeedMoreData;
                    }

                    return _phase == Phase.Done
                        ? JsonStep.End
                        : throw Malformed(buffer, reader.BytesConsumed, "the input ends before the JSON is complete");
                }

                switch (_phase)
                {
                    case Phase.Root:
                        OnRoot(ref reader, buffer);
                        break;
                    case Phase.Properties:
                        OnProperty(ref reader, buffer);
                        break;
                    case Phase.PayloadValue:
                        if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            PayloadPresent = true;
                            _phase = Phase.Array;
                        }
                        else if (reader.TokenType == JsonTokenType.Null)
                        {
                            _phase = Phase.Properties;
                        }
                        else if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            PayloadPresent = true;
                            if (OnElement(ref reader, buffer, Phase.Properties, checkpoint, checkpointState, out element) is { } single)
                            {
                                return single;
                            }
                        }
                        else
                        {
                            throw Malformed(buffer, reader.TokenStartIndex, $"webhook_payload must be a list of objects or one object, not {Describe(reader.TokenType)}");
                        }

                        break;
                    case Phase.Array:
                        if (reader.TokenType == JsonTokenType.EndArray)
                        {
                            _phase = root == JsonRoot.Array ? Phase.Done : Phase.Properties;
                        }
                        else if (OnElement(ref reader, buffer, Phase.Array, checkpoint, checkpointState, out element) is { } step)
                        {
                            return step;
                        }

                        break;
                    case Phase.SkipValue:
                        _phase = Phase.Properties;
                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            _phase = Phase.Skip;
                            _afterSkip = Phase.Properties;
                            _skipDepth = reader.CurrentDepth;
                        }

                        break;
                    case Phase.Skip:
                        if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == _skipDepth)
                        {
                            _phase = _afterSkip;
                        }

                        break;
                    case Phase.Capture:
                        if (!Capture(ref reader, buffer, checkpoint, checkpointState))
                        {
                            return JsonStep.NeedMoreData;
                        }

                        break;
                    default:
                        throw Malformed(buffer, reader.TokenStartIndex, "unexpected content after the end of the JSON value");
                }
            }
        }
        catch (JsonException e)
        {
            var line = e.LineNumber + 1;
            var column = e.BytePositionInLine + 1;
            throw new PayloadFormatException(
                $"The JSON is not valid at line {line}, column {column} (byte {buffer.Offset + reader.BytesConsumed}): {Trim(e.Message)}",
                buffer.Offset + reader.BytesConsumed,
                line);
        }
    }

    /// <summary>Skips a UTF-8 BOM and detects an empty input; false when more bytes are needed or the input is empty.</summary>
    private bool SkipPreamble(JsonStreamBuffer buffer)
    {
        var pending = buffer.Pending;
        if (buffer.Offset == 0 && pending.Length < 3 && !buffer.IsFinal)
        {
            return false;
        }

        if (buffer.Offset == 0 && pending.StartsWith("\uFEFF"u8))
        {
            buffer.Advance(3, buffer.State);
            pending = buffer.Pending;
        }

        if (pending.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            if (!buffer.IsFinal)
            {
                return false;
            }

            IsEmptyInput = true;
            _phase = Phase.Done;
            return false;
        }

        return true;
    }

    private void OnRoot(ref Utf8JsonReader reader, JsonStreamBuffer buffer)
    {
        var expected = root == JsonRoot.Array ? JsonTokenType.StartArray : JsonTokenType.StartObject;
        if (reader.TokenType != expected)
        {
            var what = root == JsonRoot.Array ? "a JSON array of objects" : "a JSON object";
            throw Malformed(buffer, reader.TokenStartIndex, $"the input must be {what}, not {Describe(reader.TokenType)}");
        }

        if (root == JsonRoot.Array)
        {
            PayloadPresent = true;
        }

        _phase = root == JsonRoot.Array ? Phase.Array : Phase.Properties;
    }

    private void OnProperty(ref Utf8JsonReader reader, JsonStreamBuffer buffer)
    {
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _phase = Phase.Done;
            return;
        }

        if (reader.ValueTextEquals("webhook_payload"u8))
        {
            if (PayloadPresent)
            {
                throw Malformed(buffer, reader.TokenStartIndex, "webhook_payload appears more than once");
            }

            _phase = Phase.PayloadValue;
        }
        else if (scanOnly && (reader.ValueTextEquals("specs_override"u8) || reader.ValueTextEquals("cache_config"u8) || reader.ValueTextEquals("max_credits"u8)))
        {
            _captureName = reader.GetString()!;
            _phase = Phase.Capture;
        }
        else
        {
            // The value of an ignored property: skipped token by token, never held whole.
            _phase = Phase.SkipValue;
        }
    }

    /// <summary>Handles the first token of an element; a step result when the caller must return, else null.</summary>
    private JsonStep? OnElement(
        ref Utf8JsonReader reader, JsonStreamBuffer buffer, Phase returnTo, long checkpoint, JsonReaderState checkpointState, out PayloadElement element)
    {
        element = default;
        var index = Count;
        var token = reader.TokenType;
        if (scanOnly)
        {
            Count++;
            if (token != JsonTokenType.StartObject)
            {
                NoteNonObject(index, token);
            }

            _phase = returnTo;
            if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                _phase = Phase.Skip;
                _afterSkip = returnTo;
                _skipDepth = reader.CurrentDepth;
            }

            return null;
        }

        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var start = reader.TokenStartIndex;
            if (!reader.TrySkip())
            {
                buffer.Advance(checkpoint, checkpointState);
                return JsonStep.NeedMoreData;
            }

            element = token == JsonTokenType.StartObject
                ? Materialize(buffer.Pending[(int)start..(int)reader.BytesConsumed], index)
                : NonObject(index, token);
        }
        else
        {
            element = NonObject(index, token);
        }

        Count++;
        _phase = returnTo;
        buffer.Advance(reader.BytesConsumed, reader.CurrentState);
        return JsonStep.Element;
    }

    private bool Capture(ref Utf8JsonReader reader, JsonStreamBuffer buffer, long checkpoint, JsonReaderState checkpointState)
    {
        var start = reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
        {
            if (buffer.Pending.Length - checkpoint > MaxCapturedBytes)
            {
                throw Malformed(buffer, start, $"{CaptureName} is larger than {MaxCapturedBytes / 1024} KiB");
            }

            buffer.Advance(checkpoint, checkpointState);
            return false;
        }

        var raw = Encoding.UTF8.GetString(buffer.Pending[(int)start..(int)reader.BytesConsumed]);
        switch (_captureName)
        {
            case "specs_override":
                SpecsOverrideJson = raw;
                break;
            case "cache_config":
                CacheConfigJson = raw;
                break;
            default:
                MaxCreditsJson = raw;
                break;
        }

        _phase = Phase.Properties;
        return true;
    }

    private string CaptureName => _captureName;

    private PayloadElement NonObject(long index, JsonTokenType token)
    {
        NoteNonObject(index, token);
        return new PayloadElement(index, null, $"element {index} is {Describe(token)}, not an object");
    }

    private void NoteNonObject(long index, JsonTokenType token)
    {
        if (FirstNonObjectIndex is null)
        {
            FirstNonObjectIndex = index;
            FirstNonObjectKind = Describe(token);
        }
    }

    private static PayloadElement Materialize(ReadOnlySpan<byte> json, long index)
    {
        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
            reader.Read();
            return new PayloadElement(index, RowValues.ReadRow(ref reader, index), null);
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            return new PayloadElement(index, null, $"element {index} is not valid UTF-8 JSON text");
        }
    }

    private static PayloadFormatException Malformed(JsonStreamBuffer buffer, long positionInPending, string problem)
    {
        var position = buffer.Offset + positionInPending;
        return new PayloadFormatException($"The JSON is not valid at byte {position}: {problem}.", position);
    }

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString(),
    };

    private static string Trim(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd();
    }
}
