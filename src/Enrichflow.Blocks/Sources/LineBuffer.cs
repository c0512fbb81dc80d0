namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Splits a stream into lines (LF or CRLF; a UTF-8 BOM skipped) over a refillable buffer. A line longer than
/// the limit is reported as <see cref="TooLong"/> with only its first bytes; the rest streams by unbuffered.
/// </summary>
internal sealed class LineBuffer(Stream stream, int maxLineBytes)
{
    private const int ExcerptBytes = 4096;

    private readonly byte[] _excerpt = new byte[ExcerptBytes];
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private int _lineStart;
    private int _lineLength;
    private bool _eof;
    private bool _bomChecked;

    /// <summary>The 1-based number of the current line.</summary>
    public long LineNumber { get; private set; }

    /// <summary>True when the current line is longer than the limit; <see cref="Current"/> is then its start.</summary>
    public bool TooLong { get; private set; }

    /// <summary>The current line without its terminator; valid until the next <see cref="NextAsync"/>.</summary>
    public ReadOnlySpan<byte> Current => TooLong ? _excerpt.AsSpan(0, _lineLength) : _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>True when the current line is empty or only whitespace.</summary>
    public bool IsBlank => !TooLong && Current.Trim(" \t\r"u8).IsEmpty;

    public async ValueTask<bool> NextAsync(CancellationToken cancellationToken)
    {
        TooLong = false;
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            if (!_bomChecked)
            {
                if (pending.Length < 3 && !_eof)
                {
                    await FillAsync(cancellationToken);
                    continue;
                }

                _bomChecked = true;
                if (pending.StartsWith("\uFEFF"u8))
                {
                    _start += 3;
                    continue;
                }
            }

            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0 || _eof)
            {
                if (newline < 0 && pending.IsEmpty)
                {
                    return false;
                }

                var length = newline >= 0 ? newline : pending.Length;
                if (length > maxLineBytes)
                {
                    _lineLength = Math.Min(length, ExcerptBytes);
                    pending[.._lineLength].CopyTo(_excerpt);
                    _start += newline >= 0 ? newline + 1 : length;
                    TooLong = true;
                    LineNumber++;
                    return true;
                }

                _lineStart = _start;
                _lineLength = length > 0 && pending[length - 1] == (byte)'\r' ? length - 1 : length;
                _start += newline >= 0 ? newline + 1 : length;
                LineNumber++;
                return true;
            }

            if (pending.Length > maxLineBytes)
            {
                _lineLength = Math.Min(pending.Length, ExcerptBytes);
                pending[.._lineLength].CopyTo(_excerpt);
                await SkipRestOfLineAsync(cancellationToken);
                TooLong = true;
                LineNumber++;
                return true;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async ValueTask SkipRestOfLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _start += newline + 1;
                return;
            }

            _start = _end;
            if (_eof)
            {
                return;
            }

            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Moves pending bytes to the front, grows a full buffer, and reads until it is full or the stream ends.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var pending = _end - _start;
        if (pending == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }

        _start = 0;
        _end = pending;
        while (_end < _buffer.Length && !_eof)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += read;
            _eof = read == 0;
        }
    }
}
