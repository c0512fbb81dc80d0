using System.Text;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using nietras.SeparatedValues;

namespace Enrichflow.Engine.Results;

/// <summary>
/// Writes a block's result files by concatenating the sections its committed chunks wrote, in chunk order
/// (docs/api.md §3.1): CSV always, NDJSON and JSON when asked. Reads one section at a time, so memory does not grow
/// with the run, and only from the unit files of the committing attempts (their output tags).
/// </summary>
public sealed class ResultAssembler(IRunStore store, IBlobStore blobs, TimeProvider time)
{
    public const string RejectsFileName = "rejects.ndjson";

    public static string FileName(PlannedBlock block, ResultFormat format) => $"{block.Definition.SequenceNumber}_{block.Id}.{format.ToWire()}";

    /// <summary>Assembles the result files of <paramref name="block"/> from the given committed chunks (all, or the finished ones of a stopped run).</summary>
    public async Task AssembleBlockAsync(Guid runId, WorkflowPlan plan, PlannedBlock block, IReadOnlyList<ResultFormat> formats, IReadOnlyList<ChunkOutputRecord> chunks, string? message, CancellationToken cancellationToken)
    {
        var rows = chunks.Sum(c => c.RowsOut);
        var head = Segments.HeadOf(plan, block).Id;
        var keys = chunks.Select(c => BlobKeys.UnitOutput(runId, head, c.Chunk, c.OutputTag)).ToList();
        foreach (var format in formats.Distinct())
        {
            var fileName = FileName(block, format);
            var key = BlobKeys.Result(runId, fileName);
            var written = await WriteResultAsync(key, format, keys, block.Id, union: false, cancellationToken)
                || await WriteResultAsync(key, format, keys, block.Id, union: true, cancellationToken);
            if (!written)
            {
                throw new InvalidOperationException($"The {format.ToWire()} result of block '{block.Id}' could not be assembled.");
            }

            var size = await blobs.GetSizeAsync(key, cancellationToken) ?? 0;
            await store.PutResultFileAsync(new ResultFileRecord(runId, block.Id, block.Definition.SequenceNumber, format, fileName, key, rows, size, time.GetUtcNow(), message), cancellationToken);
        }
    }

    /// <summary>
    /// Writes one result file; false (nothing committed) when a CSV fragment's header differs from the first one's
    /// and <paramref name="union"/> is off, so the caller writes it again under the union of the columns.
    /// </summary>
    private async Task<bool> WriteResultAsync(string key, ResultFormat format, List<string> keys, string blockId, bool union, CancellationToken cancellationToken)
    {
        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        switch (format)
        {
            case ResultFormat.Csv when union:
                await WriteCsvUnionAsync(keys, blockId, writer.Stream, cancellationToken);
                break;
            case ResultFormat.Csv:
                if (!await WriteCsvAsync(keys, blockId, writer.Stream, cancellationToken))
                {
                    return false;
                }

                break;
            case ResultFormat.Ndjson:
                foreach (var unitKey in keys)
                {
                    await UnitOutputFile.CopySectionAsync(blobs, unitKey, blockId, SectionKind.Ndjson, 0, writer.Stream, cancellationToken);
                }

                break;
            case ResultFormat.Json:
                await WriteJsonAsync(keys, blockId, writer.Stream, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Unknown result format '{format}'.");
        }

        await writer.CommitAsync(cancellationToken);
        return true;
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
                var head = Segments.HeadOf(plan, block).Id;
                foreach (var chunk in await store.ListChunkOutputsAsync(runId, block.Id, cancellationToken))
                {
                    using var section = await UnitOutputFile.ReadSectionAsync(blobs, BlobKeys.UnitOutput(runId, head, chunk.Chunk, chunk.OutputTag), block.Id, SectionKind.Rejects, cancellationToken);
                    if (section is not null)
                    {
                        lines += section.WrittenSpan.Count((byte)'\n');
                        await writer.Stream.WriteAsync(section.WrittenMemory, cancellationToken);
                    }
                }
            }

            if (lines == 0)
            {
                return;
            }

            await writer.CommitAsync(cancellationToken);
        }

        var size = await blobs.GetSizeAsync(key, cancellationToken) ?? 0;
        await store.PutResultFileAsync(new ResultFileRecord(runId, "rejects", 0, ResultFormat.Ndjson, RejectsFileName, key, lines, size, time.GetUtcNow(), message), cancellationToken);
    }

    /// <summary>
    /// The usual case, in one pass: every fragment has the first one's header, which is written once, followed by
    /// each fragment's rows as bytes. Returns false at the first fragment whose header differs.
    /// </summary>
    private async Task<bool> WriteCsvAsync(List<string> keys, string blockId, Stream destination, CancellationToken cancellationToken)
    {
        byte[]? header = null;
        foreach (var key in keys)
        {
            using var fragment = await UnitOutputFile.ReadSectionAsync(blobs, key, blockId, SectionKind.Csv, cancellationToken);
            if (fragment is null || fragment.WrittenCount == 0)
            {
                continue;
            }

            CsvFragments.TryHeaderLength(fragment.WrittenSpan, out var headerLength);
            if (header is null)
            {
                header = fragment.WrittenSpan[..headerLength].ToArray();
                await destination.WriteAsync(header, cancellationToken);
            }
            else if (!fragment.WrittenSpan[..headerLength].SequenceEqual(header))
            {
                return false;
            }

            await destination.WriteAsync(fragment.WrittenMemory[headerLength..], cancellationToken);
        }

        return true;
    }

    private async Task WriteCsvUnionAsync(List<string> keys, string blockId, Stream destination, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            using var fragment = await UnitOutputFile.ReadSectionAsync(blobs, key, blockId, SectionKind.Csv, cancellationToken);
            if (fragment is not null)
            {
                columns.AddRange(HeaderOf(fragment).Where(seen.Add));
            }
        }

        await destination.WriteAsync(Encoding.UTF8.GetBytes(string.Join(',', columns.Select(CsvFragments.Quote)) + "\n"), cancellationToken);
        foreach (var key in keys)
        {
            using var fragment = await UnitOutputFile.ReadSectionAsync(blobs, key, blockId, SectionKind.Csv, cancellationToken);
            if (fragment is not null)
            {
                await destination.WriteAsync(RenderUnder(columns, fragment.WrittenMemory.ToArray()), cancellationToken);
            }
        }
    }

    /// <summary>
    /// A fragment's column names: its first line read as a row, since Sep's header refuses a name that appears twice
    /// (rows of an upload may carry two columns whose names a CSV header cannot tell apart).
    /// </summary>
    private static string[] HeaderOf(PooledBuffer fragment)
    {
        using var reader = Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(fragment.WrittenMemory.ToArray());
        return reader.MoveNext() ? Cells(reader.Current) : [];
    }

    private static string[] Cells(SepReader.Row row)
    {
        var cells = new string[row.ColCount];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = row[i].ToString();
        }

        return cells;
    }

    /// <summary>The rows of a fragment re-written under <paramref name="columns"/> (no header line).</summary>
    private static byte[] RenderUnder(List<string> columns, byte[] fragment)
    {
        using var memory = new MemoryStream(fragment.Length + 1024);
        using (var text = new StreamWriter(memory, new UTF8Encoding(false), 64 * 1024, leaveOpen: true))
        using (var reader = Sep.New(',').Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(fragment))
        using (var writer = Sep.New(',').Writer(o => o with { Escape = true, WriteHeader = false }).To(text, leaveOpen: true))
        {
            int[]? from = null;
            foreach (var row in reader)
            {
                if (from is null)
                {
                    // The header line: where each output column is in this fragment (its first occurrence), or -1.
                    var names = Cells(row);
                    from = [.. columns.Select(c => Array.IndexOf(names, c))];
                    continue;
                }

                using var output = writer.NewRow();
                for (var i = 0; i < columns.Count; i++)
                {
                    output[columns[i]].Set(from[i] >= 0 && from[i] < row.ColCount ? row[from[i]].ToString() : "");
                }
            }
        }

        return memory.ToArray();
    }

    private async Task WriteJsonAsync(List<string> keys, string blockId, Stream destination, CancellationToken cancellationToken)
    {
        var first = true;
        await destination.WriteAsync("["u8.ToArray(), cancellationToken);
        foreach (var key in keys)
        {
            using var section = await UnitOutputFile.ReadSectionAsync(blobs, key, blockId, SectionKind.Ndjson, cancellationToken);
            var rest = section?.WrittenMemory ?? default;
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
}
