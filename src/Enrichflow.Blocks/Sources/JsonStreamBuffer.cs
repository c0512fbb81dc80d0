using System.Text.Json;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// A refillable window over a JSON stream for <see cref="Utf8JsonReader"/>: the classic
/// <see cref="JsonReaderState"/> + <c>isFinalBlock</c> loop. Bytes not yet consumed stay in the window; the
/// window doubles only when one token or element does not fit, and never past the record cap plus
/// <see cref="DefaultSize"/> (<see cref="IsFull"/>): memory follows the largest element up to the cap, never the
/// stream, and an element or token over the cap is the parser's to refuse or skip.
/// </summary>
internal sealed class JsonStreamBuffer(Stream stream, int maxRecordBytes, int initialSize = JsonStreamBuffer.DefaultSize)
{
    public const int DefaultSize = 64 * 1024;

    private readonly int _maxSize = Math.Max(initialSize, checked(maxRecordBytes + DefaultSize));
    private byte[] _buffer = new byte[initialSize];
    private int _start;
    private int _end;

    /// <summary>The bytes read but not consumed yet.</summary>
    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(_start, _end - _start);

    /// <summary>True once the stream has no more bytes: <see cref="Pending"/> is the end of the input.</summary>
    public bool IsFinal { get; private set; }

    /// <summary>The reader state at the start of <see cref="Pending"/>.</summary>
    public JsonReaderState State { get; private set; }

    /// <summary>The position of <see cref="Pending"/> in the stream.</summary>
    public long Offset { get; private set; }

    /// <summary>True when the window is at its largest and full of pending bytes: it cannot take more.</summary>
    public bool IsFull => _end - _start == _buffer.Length && _buffer.Length >= _maxSize;

    public void Advance(long consumed, JsonReaderState state)
    {
        _start += (int)consumed;
        Offset += consumed;
        State = state;
    }

    /// <summary>
    /// Reads more bytes: moves the pending bytes to the front, doubles the window when they fill it (up to its
    /// largest), then fills the free space until it is full or the stream ends. Returns false when the stream had
    /// already ended. Not to be called when <see cref="IsFull"/>.
    /// </summary>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (IsFinal)
        {
            return false;
        }

        var pending = _end - _start;
        if (pending == _buffer.Length)
        {
            if (IsFull)
            {
                throw new InvalidOperationException("The JSON window is full at its largest size.");
            }

            var larger = new byte[(int)Math.Min(_maxSize, (long)_buffer.Length * 2)];
            _buffer.AsSpan(_start, pending).CopyTo(larger);
            _buffer = larger;
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }

        _start = 0;
        _end = pending;
        while (_end < _buffer.Length)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                IsFinal = true;
                break;
            }

            _end += read;
        }

        return true;
    }
}
