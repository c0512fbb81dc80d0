using System.Buffers;
using System.Text;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Text decoding for CSV uploads. Invalid UTF-8 is detected by decoding with a fallback that turns every
/// invalid byte sequence into U+FFFF (a noncharacter, which no real text carries); a record holding U+FFFF or a
/// NUL character is malformed. The UTF-8 BOM is skipped by the decoder.
/// </summary>
internal static class CsvText
{
    public const char InvalidMarker = '\uFFFF';

    public static readonly Encoding Utf8 = CreateEncoding();

    private static readonly SearchValues<char> BadChars = SearchValues.Create("\0\uFFFF");

    /// <summary>Why the raw record text is malformed (NUL, invalid UTF-8, unterminated quote); null when it is not.</summary>
    public static string? Problem(ReadOnlySpan<char> raw)
    {
        var bad = raw.IndexOfAny(BadChars);
        if (bad >= 0)
        {
            return raw[bad] == '\0' ? "the record contains a NUL byte" : "the record contains invalid UTF-8 bytes";
        }

        return raw.Contains('"') && (raw.Count('"') & 1) != 0 ? "unterminated quoted field" : null;
    }

    /// <summary>The start of a malformed record for its reject, at most <paramref name="maxChars"/> characters, made safe for JSON.</summary>
    public static string Excerpt(ReadOnlySpan<char> raw, int maxChars)
    {
        var text = raw.Length > maxChars ? raw[..maxChars] : raw;
        if (text.Length > 0 && char.IsHighSurrogate(text[^1]))
        {
            text = text[..^1];
        }

        return string.Create(text.Length, text, static (chars, source) =>
        {
            source.CopyTo(chars);
            chars.Replace(InvalidMarker, '\uFFFD');
        });
    }

    private static Encoding CreateEncoding()
    {
        var encoding = (Encoding)new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: false).Clone();
        encoding.DecoderFallback = new MarkerFallback();
        return encoding;
    }

    private sealed class MarkerFallback : DecoderFallback
    {
        public override int MaxCharCount => 1;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new MarkerBuffer();
    }

    private sealed class MarkerBuffer : DecoderFallbackBuffer
    {
        private int _remaining;

        public override int Remaining => _remaining;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            _remaining = 1;
            return true;
        }

        public override char GetNextChar()
        {
            if (_remaining == 0)
            {
                return '\0';
            }

            _remaining--;
            return InvalidMarker;
        }

        public override bool MovePrevious()
        {
            if (_remaining > 0)
            {
                return false;
            }

            _remaining++;
            return true;
        }

        public override void Reset() => _remaining = 0;
    }
}
