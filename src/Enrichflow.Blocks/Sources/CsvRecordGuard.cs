using System.Buffers;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// Sits between an upload and the CSV parser and keeps every record under <c>maxRecordBytes</c>. It follows
/// the CSV structure at byte level the way Sep does (every <c>"</c> toggles quoting; CR, LF and CRLF end a
/// record outside quotes). When a record grows past the limit, the rest of it is dropped: the parser sees the
/// record as one quoted field holding only the dropped newlines, so its line numbers stay right, and the
/// record's start line is queued as a <see cref="CsvAnomaly"/> for the reader to reject. A quote left open at
/// the end of the file is closed the same way. Bytes pass through unchanged otherwise.
/// The guard also reads ahead: <see cref="FillAsync"/> tops its buffer up asynchronously, so the parser above
/// can read synchronously (<see cref="Read(Span{byte})"/>) from bytes already here; a synchronous read of the
/// stream under it happens only when the parser needs more than the read-ahead holds (one record over half the
/// buffer).
/// </summary>
internal sealed class CsvRecordGuard(Stream inner, int maxRecordBytes, int bufferSize = CsvRecordGuard.ReadAheadBytes) : Stream
{
    /// <summary>The read-ahead buffer's size.</summary>
    public const int ReadAheadBytes = 1024 * 1024;

    /// <summary>How many bytes <see cref="PeekAsync"/> shows the delimiter sniffer at most.</summary>
    public const int PeekBytes = 64 * 1024;

    private static readonly SearchValues<byte> Specials = SearchValues.Create("\"\n\r"u8);

    // Rented: a read-ahead this size is on the large object heap, and every upload inspection and run opens one.
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    private readonly Queue<CsvAnomaly> _anomalies = new();
    private readonly byte[] _out = new byte[2];
    private int _outCount;
    private int _outIndex;
    private int _pos;
    private int _len;
    private bool _eof;
    private bool _finished;
    private bool _inQuotes;
    private bool _lastCr;
    private bool _truncating;
    private long _recordBytes;
    private long _line = 1;
    private long _recordStartLine = 1;
    private CsvAnomaly? _current;

    /// <summary>True when a record was cut off and not yet taken by the reader.</summary>
    public bool HasAnomalies => _anomalies.Count > 0;

    /// <summary>Takes the anomaly of the record that starts on <paramref name="line"/>, if any.</summary>
    public CsvAnomaly? TakeAnomaly(long line)
    {
        while (_anomalies.TryPeek(out var next) && next.Line < line)
        {
            _anomalies.Dequeue();
        }

        return _anomalies.TryPeek(out var anomaly) && anomaly.Line == line ? _anomalies.Dequeue() : null;
    }

    /// <summary>Fills the buffer (without consuming) and returns the first bytes (at most <see cref="PeekBytes"/>), for sniffing.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> PeekAsync(CancellationToken cancellationToken)
    {
        await FillAsync(cancellationToken);
        return _buffer.AsMemory(_pos, Math.Min(_len - _pos, PeekBytes));
    }

    /// <summary>True when <see cref="PeekAsync"/> saw the whole input.</summary>
    public bool PeekedToEnd => _eof && _len - _pos < PeekBytes;

    /// <summary>
    /// True when the bytes read ahead are under half the buffer and the stream has more: the parser should wait
    /// for <see cref="FillAsync"/> before reading on, so that it does not read the stream synchronously.
    /// </summary>
    public bool NeedsFill => !_eof && _len - _pos < _buffer.Length / 2;

    /// <summary>Moves the bytes not yet passed on to the front and reads until the buffer is full or the stream ends.</summary>
    public async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_pos > 0)
        {
            _buffer.AsSpan(_pos, _len - _pos).CopyTo(_buffer);
            _len -= _pos;
            _pos = 0;
        }

        while (!_eof && _len < _buffer.Length)
        {
            var read = await inner.ReadAsync(_buffer.AsMemory(_len), cancellationToken);
            _eof = read == 0;
            _len += read;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            var written = Transfer(buffer.Span);
            if (written > 0)
            {
                return written;
            }

            if (_eof)
            {
                return Finish(buffer.Span);
            }

            _pos = 0;
            _len = await inner.ReadAsync(_buffer, cancellationToken);
            _eof = _len == 0;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            var written = Transfer(buffer);
            if (written > 0)
            {
                return written;
            }

            if (_eof)
            {
                return Finish(buffer);
            }

            _pos = 0;
            _len = inner.Read(_buffer);
            _eof = _len == 0;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Moves processed bytes to <paramref name="destination"/>; 0 when the buffer is used up.</summary>
    private int Transfer(Span<byte> destination)
    {
        var written = 0;
        while (written < destination.Length)
        {
            if (_outCount > 0)
            {
                destination[written++] = _out[_outIndex++];
                if (_outIndex == _outCount)
                {
                    _outCount = _outIndex = 0;
                }

                continue;
            }

            if (_pos == _len)
            {
                break;
            }

            if (_truncating)
            {
                DropUntilRecordEnd();
                continue;
            }

            var source = _buffer.AsSpan(_pos, Math.Min(_len - _pos, destination.Length - written));
            var special = source.IndexOfAny(Specials);
            var run = special < 0 ? source.Length : special;
            var room = maxRecordBytes - _recordBytes;
            if (run > room)
            {
                run = (int)room;
                special = -1;
            }

            if (run > 0)
            {
                source[..run].CopyTo(destination[written..]);
                written += run;
                _pos += run;
                _recordBytes += run;
                _lastCr = false;
            }

            if (special < 0)
            {
                if (_recordBytes >= maxRecordBytes && _pos < _len)
                {
                    StartTruncation();
                }

                continue;
            }

            var b = source[special];
            var endsRecord = b != (byte)'"' && !_inQuotes;
            if (!endsRecord && _recordBytes >= maxRecordBytes)
            {
                StartTruncation();
                continue;
            }

            destination[written++] = b;
            _pos++;
            _recordBytes++;
            if (b == (byte)'"')
            {
                _inQuotes = !_inQuotes;
                _lastCr = false;
            }
            else
            {
                CountLine(b);
                if (endsRecord)
                {
                    EndRecord();
                }
            }
        }

        return written;
    }

    /// <summary>Drops bytes of a record that is too long, passing on only quoted newlines, up to the record's end.</summary>
    private void DropUntilRecordEnd()
    {
        var source = _buffer.AsSpan(_pos, _len - _pos);
        var special = source.IndexOfAny(Specials);
        if (special < 0)
        {
            _pos = _len;
            _lastCr = false;
            return;
        }

        _pos += special + 1;
        if (special > 0)
        {
            _lastCr = false;
        }

        var b = source[special];
        if (b == (byte)'"')
        {
            _inQuotes = !_inQuotes;
            _lastCr = false;
            return;
        }

        CountLine(b);
        if (_inQuotes)
        {
            Emit(b);
            return;
        }

        // The record ends: close the quoted field the parser is in, then end the record.
        Emit((byte)'"');
        Emit(b);
        _truncating = false;
        _current = null;
        EndRecord();
    }

    private void StartTruncation()
    {
        _truncating = true;
        _current = new CsvAnomaly(_recordStartLine);
        _anomalies.Enqueue(_current);
        if (!_inQuotes)
        {
            Emit((byte)'"');
        }
    }

    private int Finish(Span<byte> destination)
    {
        if (!_finished)
        {
            _finished = true;
            if (_truncating && _current is { } anomaly)
            {
                anomaly.Unterminated = _inQuotes;
                Emit((byte)'"');
            }
        }

        return Transfer(destination);
    }

    private void CountLine(byte b)
    {
        if (b == (byte)'\n' && _lastCr)
        {
            _lastCr = false;
            return;
        }

        _line++;
        _lastCr = b == (byte)'\r';
    }

    private void EndRecord()
    {
        _recordBytes = 0;
        _recordStartLine = _line;
    }

    private void Emit(byte b) => _out[_outCount++] = b;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
                _pos = _len = 0;
                _eof = true;
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>A record the guard cut off: where it starts and why.</summary>
internal sealed class CsvAnomaly(long line)
{
    public long Line { get; } = line;

    /// <summary>True when the record is an unterminated quote that runs to the end of the file.</summary>
    public bool Unterminated { get; set; }
}
