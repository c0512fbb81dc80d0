using System.Text;
using System.Text.Json;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Blocks.Tests.Sources;

/// <summary>Compiles source blocks and reads their input the way the engine does.</summary>
internal static class SourceTestKit
{
    public static SourceBlock? TryCompile(BlockType type, string specsJson, out List<DefinitionError> errors, InputLimits? limits = null)
    {
        errors = [];
        using var document = JsonDocument.Parse(specsJson);
        var definition = new BlockDefinition(1, type.Name, type.Name, "source", document.RootElement.Clone());
        return (SourceBlock?)type.Compile(new BlockCompileContext(definition, ["blocks", 0, "specs"], errors) { Limits = limits ?? InputLimits.Default });
    }

    public static SourceBlock Compile(BlockType type, string specsJson = "{}", InputLimits? limits = null)
    {
        var block = TryCompile(type, specsJson, out var errors, limits);
        Assert.Empty(errors);
        return Assert.IsAssignableFrom<SourceBlock>(block);
    }

    public static SourceInput Input(byte[] bytes, string? fileName = null, bool trickle = false) => new()
    {
        OpenAsync = _ => Task.FromResult<Stream>(trickle ? new TrickleStream(bytes) : new NonSeekableStream(new MemoryStream(bytes))),
        FileName = fileName,
    };

    public static SourceInput Input(string text, string? fileName = null, bool trickle = false) =>
        Input(Encoding.UTF8.GetBytes(text), fileName, trickle);

    public static BlockRunContext Context() => new()
    {
        RunId = Guid.CreateVersion7(),
        OrgId = "org",
        BlockId = "source",
        Services = new NoServices(),
    };

    public static async Task<List<SourceRecord>> ReadAllAsync(SourceBlock block, SourceInput input)
    {
        var records = new List<SourceRecord>();
        await foreach (var record in block.ReadAsync(input, Context(), TestContext.Current.CancellationToken))
        {
            records.Add(record);
        }

        return records;
    }

    public static Task<List<SourceRecord>> ReadCsvAsync(string text, string fileName = "upload.csv", string specsJson = "{}") =>
        ReadAllAsync(Compile(new ReadCsvBlockType(), specsJson), Input(text, fileName));

    public static Task<List<SourceRecord>> ReadCsvAsync(byte[] bytes, string fileName = "upload.csv", string specsJson = "{}") =>
        ReadAllAsync(Compile(new ReadCsvBlockType(), specsJson), Input(bytes, fileName));

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}

/// <summary>A non-seekable stream that hands out 1 to 7 bytes per read, to split every token across reads.</summary>
internal sealed class TrickleStream(byte[] bytes) : Stream
{
    private int _position;
    private int _next;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var size = Math.Min(Math.Min(buffer.Length, 1 + (_next++ % 7)), bytes.Length - _position);
        bytes.AsSpan(_position, size).CopyTo(buffer);
        _position += size;
        return size;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

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
}

/// <summary>Hides seeking and length of another stream, like a network or blob stream.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

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
        }

        base.Dispose(disposing);
    }
}
