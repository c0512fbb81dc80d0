using System.Text;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using nietras.SeparatedValues;

namespace Enrichflow.Engine.Results;

/// <summary>
/// Writes a block's result files by concatenating the fragments its committed chunks wrote, in chunk order
/// (API.md §3.1): CSV always, NDJSON and JSON when asked. Reads one fragment at a time, so memory does not grow
/// with the run. Only the fragments of the committing attempt (its output tag) are read.
/// </summary>
public sealed class ResultAssembler(IRunStore store, IBlobStore blobs, TimeProvider time)
{
    public const string RejectsFileName = "rejects.ndjson";

    public static string FileName(PlannedBlock block, string format) => $"{block.Definition.SequenceNumber}_{block.Id}.{format}";

    /// <summary>Assembles the result files of <paramref name="block"/> from the given committed chunks (all, or the finished ones of a stopped run).</summary>
    public async Task AssembleBlockAsync(Guid runId, PlannedBlock block, IReadOnlyList<string> formats, IReadOnlyList<ChunkOutputRecord> chunks, string? message, CancellationToken cancellationToken)
    {
        var rows = chunks.Sum(c => c.RowsOut);
        foreach (var format in formats.Distinct(StringComparer.Ordinal))
        {
            var fileName = FileName(block, format);
            var key = BlobKeys.Result(runId, fileName);
            await using (var writer = await blobs.CreateAsync(key, cancellationToken))
            {
                switch (format)
                {
                    case "csv":
                        await WriteCsvAsync(runId, block.Id, chunks, writer.Stream, cancellationToken);
                        break;
                    case "ndjson":
                        foreach (var chunk in chunks)
                        {
                            await using var stream = await blobs.OpenReadAsync(BlobKeys.NdjsonFragment(runId, block.Id, chunk.Chunk, chunk.OutputTag), cancellationToken);
                            await stream.CopyToAsync(writer.Stream, cancellationToken);
                        }

                        break;
                    case "json":
                        await WriteJsonAsync(runId, block.Id, chunks, writer.Stream, cancellationToken);
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown result format '{format}'.");
                }

                await writer.CommitAsync(cancellationToken);
            }

            var size = await blobs.GetSizeAsync(key, cancellationToken) ?? 0;
            await store.PutResultFileAsync(new ResultFileRecord(runId, block.Id, block.Definition.SequenceNumber, format, fileName, key, rows, size, time.GetUtcNow(), message), cancellationToken);
        }
    }

    /// <summary>Concatenates every block's rejects, in plan order then chunk order, into <c>rejects.ndjson</c>; records it when there is any.</summary>
    public async Task AssembleRejectsAsync(Guid runId, WorkflowPlan plan, string? message, CancellationToken cancellationToken)
    {
        var key = BlobKeys.Result(runId, RejectsFileName);
        long lines = 0;
        await using (var writer = await blobs.CreateAsync(key, cancellationToken))
        {
            foreach (var block in plan.Blocks)
            {
                foreach (var chunk in await store.ListChunkOutputsAsync(runId, block.Id, cancellationToken))
                {
                    var rejectsKey = BlobKeys.Rejects(runId, block.Id, chunk.Chunk, chunk.OutputTag);
                    if (await blobs.GetSizeAsync(rejectsKey, cancellationToken) is not > 0)
                    {
                        continue;
                    }

                    await using var stream = await blobs.OpenReadAsync(rejectsKey, cancellationToken);
                    lines += await CopyCountingLinesAsync(stream, writer.Stream, cancellationToken);
                }
            }

            if (lines == 0)
            {
                return;
            }

            await writer.CommitAsync(cancellationToken);
        }

        var size = await blobs.GetSizeAsync(key, cancellationToken) ?? 0;
        await store.PutResultFileAsync(new ResultFileRecord(runId, "rejects", 0, "ndjson", RejectsFileName, key, lines, size, time.GetUtcNow(), message), cancellationToken);
    }

    /// <summary>
    /// When every fragment has the same header (the usual case): the header once, then each fragment's rows as
    /// bytes. When headers differ (rows of different shapes), every fragment is re-written under the union of
    /// the columns.
    /// </summary>
    private async Task WriteCsvAsync(Guid runId, string blockId, IReadOnlyList<ChunkOutputRecord> chunks, Stream destination, CancellationToken cancellationToken)
    {
        byte[]? header = null;
        foreach (var chunk in chunks)
        {
            var first = await ReadHeaderAsync(BlobKeys.CsvFragment(runId, blockId, chunk.Chunk, chunk.OutputTag), cancellationToken);
            if (first.Length == 0)
            {
                continue;
            }

            if (header is null)
            {
                header = first;
            }
            else if (!first.AsSpan().SequenceEqual(header))
            {
                await WriteCsvUnionAsync(runId, blockId, chunks, destination, cancellationToken);
                return;
            }
        }

        if (header is null)
        {
            return;
        }

        await destination.WriteAsync(header, cancellationToken);
        foreach (var chunk in chunks)
        {
            await using var fragment = await blobs.OpenReadAsync(BlobKeys.CsvFragment(runId, blockId, chunk.Chunk, chunk.OutputTag), cancellationToken);
            if (fragment.Length > 0)
            {
                fragment.Position = header.Length;
                await fragment.CopyToAsync(destination, cancellationToken);
            }
        }
    }

    /// <summary>A fragment's header record (through its newline), reading only as much as it takes.</summary>
    private async Task<byte[]> ReadHeaderAsync(string key, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
        var buffer = new byte[4096];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            filled += read;
            if (CsvFragments.TryHeaderLength(buffer.AsSpan(0, filled), out var length))
            {
                return buffer[..length];
            }

            if (read == 0)
            {
                return buffer[..filled];
            }
        }
    }

    private async Task WriteCsvUnionAsync(Guid runId, string blockId, IReadOnlyList<ChunkOutputRecord> chunks, Stream destination, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            var fragment = await ReadAllAsync(BlobKeys.CsvFragment(runId, blockId, chunk.Chunk, chunk.OutputTag), cancellationToken);
            if (fragment.Length > 0)
            {
                using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).From(fragment);
                columns.AddRange(reader.Header.ColNames.Where(seen.Add));
            }
        }

        await destination.WriteAsync(Encoding.UTF8.GetBytes(string.Join(',', columns.Select(CsvFragments.Quote)) + "\n"), cancellationToken);
        foreach (var chunk in chunks)
        {
            var fragment = await ReadAllAsync(BlobKeys.CsvFragment(runId, blockId, chunk.Chunk, chunk.OutputTag), cancellationToken);
            if (fragment.Length > 0)
            {
                await destination.WriteAsync(RenderUnder(columns, fragment), cancellationToken);
            }
        }
    }

    /// <summary>The rows of a fragment re-written under <paramref name="columns"/> (no header line).</summary>
    private static byte[] RenderUnder(List<string> columns, byte[] fragment)
    {
        using var memory = new MemoryStream(fragment.Length + 1024);
        using (var text = new StreamWriter(memory, new UTF8Encoding(false), 64 * 1024, leaveOpen: true))
        using (var reader = Sep.New(',').Reader(o => o with { Unescape = true }).From(fragment))
        using (var writer = Sep.New(',').Writer(o => o with { Escape = true, WriteHeader = false }).To(text, leaveOpen: true))
        {
            foreach (var row in reader)
            {
                using var output = writer.NewRow();
                foreach (var column in columns)
                {
                    output[column].Set(reader.Header.TryIndexOf(column, out var index) ? row[index].ToString() : "");
                }
            }
        }

        return memory.ToArray();
    }

    private async Task WriteJsonAsync(Guid runId, string blockId, IReadOnlyList<ChunkOutputRecord> chunks, Stream destination, CancellationToken cancellationToken)
    {
        var first = true;
        await destination.WriteAsync("["u8.ToArray(), cancellationToken);
        foreach (var chunk in chunks)
        {
            var bytes = await ReadAllAsync(BlobKeys.NdjsonFragment(runId, blockId, chunk.Chunk, chunk.OutputTag), cancellationToken);
            var rest = bytes.AsMemory();
            while (!rest.IsEmpty)
            {
                var end = rest.Span.IndexOf((byte)'\n');
                var line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? default : rest[(end + 1)..];
                if (line.IsEmpty)
                {
                    continue;
                }

                await destination.WriteAsync(first ? "\n"u8.ToArray() : ",\n"u8.ToArray(), cancellationToken);
                await destination.WriteAsync(line, cancellationToken);
                first = false;
            }
        }

        await destination.WriteAsync("\n]\n"u8.ToArray(), cancellationToken);
    }

    private async Task<byte[]> ReadAllAsync(string key, CancellationToken cancellationToken)
    {
        await using var stream = await blobs.OpenReadAsync(key, cancellationToken);
        var bytes = new byte[stream.Length];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    private static async Task<long> CopyCountingLinesAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long lines = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return lines;
    }
}
