using System.Text;
using System.Text.Json;
using Enrichflow.Core.Blocks;

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
/// An element over <paramref name="maxRecordBytes"/> is never held whole either (docs/api.md §4): a scan refuses it
/// (<see cref="PayloadFormatException.TooLarge"/>); a read yields it as a <see cref="PayloadElement.TooLarge"/>
/// element and steps over its bytes without buffering them (<see cref="OnOversized"/>).
/// </summary>
internal sealed class JsonElementParser(JsonRoot root, bool scanOnly, int maxRecordBytes)
{
    /// <summary>The largest <c>specs_override</c> or <c>cache_config</c> a scan captures.</summary>
    public const int MaxCapturedBytes = 1024 * 1024;

    private Phase _phase = Phase.Root;
    private Phase _afterSkip;
    private int _skipDepth;
    private string _captureName = "";

    /// <summary>Where the element a scan is skipping started in the stream; -1 when it is not skipping an element.</summary>
    private long _elementStart = -1;

    private RawSkip _raw;

    /// <summary>Materialises elements as rows, sharing the keys (and short values) elements repeat.</summary>
    private readonly JsonRowReader _rows = new();

    private enum Phase { Root, Properties, PayloadValue, Array, SkipValue, Skip, Capture, SkipOversized, Done }

    /// <summary>Where a byte-level skip of an oversized element stands (the element is never tokenised).</summary>
    private struct RawSkip
    {
        public JsonReaderState Before;
        public bool SawComma;
        public bool Started;
        public bool InString;
        public bool Escape;
        public bool Scalar;
        public int Depth;
    }

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

        if (_phase == Phase.SkipOversized && !SkipOversized(buffer))
        {
            return buffer.IsFinal
                ? throw Malformed(buffer, 0, "the input ends before the JSON is complete")
                : JsonStep.NeedMoreData;
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
                        if (_elementStart >= 0 && buffer.Offset + reader.BytesConsumed - _elementStart > maxRecordBytes)
                        {
                            throw TooLarge(buffer, _elementStart - buffer.Offset, Count - 1);
                        }

                        if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == _skipDepth)
                        {
                            _phase = _afterSkip;
                            _elementStart = -1;
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
                _elementStart = buffer.Offset + reader.TokenStartIndex;
            }
            else if (reader.BytesConsumed - reader.TokenStartIndex > maxRecordBytes)
            {
                throw TooLarge(buffer, reader.TokenStartIndex, index);
            }

            return null;
        }

        var start = reader.TokenStartIndex;
        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            if (!reader.TrySkip())
            {
                buffer.Advance(checkpoint, checkpointState);
                return JsonStep.NeedMoreData;
            }

            element = reader.BytesConsumed - start > maxRecordBytes ? Oversized(index)
                : token == JsonTokenType.StartObject ? Materialize(buffer.Pending[(int)start..(int)reader.BytesConsumed], index)
                : NonObject(index, token);
        }
        else
        {
            element = reader.BytesConsumed - start > maxRecordBytes ? Oversized(index) : NonObject(index, token);
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

    /// <summary>
    /// Called when the buffer is full at its largest and the parser still needs more: the value at hand is over the
    /// record cap. Between the elements of an array, a read yields the element as <see cref="PayloadElement.TooLarge"/>
    /// (true) and then steps over its bytes; anything else (a scan, a single-object payload, another property's
    /// value) throws a <see cref="PayloadFormatException.TooLarge"/> naming the element or the byte.
    /// </summary>
    public bool OnOversized(JsonStreamBuffer buffer, out PayloadElement element)
    {
        element = default;
        switch (_phase)
        {
            case Phase.Array when !scanOnly:
                element = Oversized(Count);
                Count++;
                _raw = new RawSkip { Before = buffer.State };
                _phase = Phase.SkipOversized;
                return true;
            case Phase.Array:
                throw TooLarge(buffer, 0, Count);
            case Phase.Skip when _elementStart >= 0:
                throw TooLarge(buffer, _elementStart - buffer.Offset, Count - 1);
            case Phase.PayloadValue:
                throw TooLarge(buffer, 0, 0);
            default:
                throw new PayloadFormatException(
                    $"The JSON has a value at byte {buffer.Offset} larger than {InputLimits.Size(maxRecordBytes)} (Limits:MaxRecordBytes).", buffer.Offset)
                {
                    TooLarge = true,
                };
        }
    }

    /// <summary>
    /// Steps over the bytes of an oversized element without tokenising it: quotes, escapes and nesting are followed
    /// byte by byte. At its end the reader state is that after a value (the state before it, fed <c>null</c>), so
    /// the array reads on. Line numbers in later messages do not count the element's own line breaks.
    /// </summary>
    private bool SkipOversized(JsonStreamBuffer buffer)
    {
        var pending = buffer.Pending;
        for (var i = 0; i < pending.Length; i++)
        {
            var b = pending[i];
            if (!_raw.Started)
            {
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    continue;
                }

                if (b == (byte)',' && !_raw.SawComma)
                {
                    _raw.SawComma = true;
                    continue;
                }

                _raw.Started = true;
                _raw.InString = b == (byte)'"';
                _raw.Depth = b is (byte)'{' or (byte)'[' ? 1 : 0;
                _raw.Scalar = !_raw.InString && _raw.Depth == 0;
            }
            else if (_raw.InString)
            {
                if (_raw.Escape)
                {
                    _raw.Escape = false;
                }
                else if (b == (byte)'\\')
                {
                    _raw.Escape = true;
                }
                else if (b == (byte)'"')
                {
                    _raw.InString = false;
                    if (_raw.Depth == 0)
                    {
                        return EndOversized(buffer, i + 1);
                    }
                }
            }
            else if (_raw.Scalar)
            {
                if (b is (byte)',' or (byte)']' or (byte)'}' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                {
                    return EndOversized(buffer, i);
                }
            }
            else if (b == (byte)'"')
            {
                _raw.InString = true;
            }
            else if (b is (byte)'{' or (byte)'[')
            {
                _raw.Depth++;
            }
            else if (b is (byte)'}' or (byte)']' && --_raw.Depth == 0)
            {
                return EndOversized(buffer, i + 1);
            }
        }

        buffer.Advance(pending.Length, buffer.State);
        return false;
    }

    private bool EndOversized(JsonStreamBuffer buffer, int consumed)
    {
        var stand = new Utf8JsonReader(_raw.SawComma ? ",null "u8 : "null "u8, isFinalBlock: false, _raw.Before);
        stand.Read();
        buffer.Advance(consumed, stand.CurrentState);
        _phase = Phase.Array;
        return true;
    }

    private PayloadElement Oversized(long index) =>
        new(index, null, $"{ElementName(index)} is larger than {InputLimits.Size(maxRecordBytes)} (Limits:MaxRecordBytes)") { TooLarge = true };

    private string ElementName(long index) => root == JsonRoot.Array ? $"element {index}" : $"webhook_payload[{index}]";

    private PayloadFormatException TooLarge(JsonStreamBuffer buffer, long positionInPending, long index)
    {
        var position = buffer.Offset + positionInPending;
        return new PayloadFormatException($"{ElementName(index)} (at byte {position}) is larger than {InputLimits.Size(maxRecordBytes)} (Limits:MaxRecordBytes).", position)
        {
            TooLarge = true,
        };
    }

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

    private PayloadElement Materialize(ReadOnlySpan<byte> json, long index)
    {
        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
            reader.Read();
            return new PayloadElement(index, _rows.Read(ref reader, index), null);
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
