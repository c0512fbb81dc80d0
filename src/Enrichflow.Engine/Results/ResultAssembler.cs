using System.Text;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.Options;
using nietras.SeparatedValues;

namespace Enrichflow.Engine.Results;

/// <summary>
/// Writes a block's result files by concatenating its chunks in order (API.md §3.1): CSV always, NDJSON and
/// JSON when asked. Reads one chunk at a time, so memory does not grow with the run.
/// </summary>
public sealed class ResultAssembler(IRunStore store, IBlobStore blobs, IOptions<EngineOptions> options, TimeProvider time)
{
    public const string RejectsFileName = "rejects.ndjson";

    public static string FileName(PlannedBlock block, string format) => $"{block.Definition.SequenceNumber}_{block.Id}.{format}";

    /// <summary>Assembles the result files of <paramref name="block"/> from the given chunks (all of them, or the finished ones of a stopped run).</summary>
    public async Task AssembleBlockAsync(Guid runId, PlannedBlock block, IReadOnlyList<string> formats, IReadOnlyList<int> chunks, string? message, CancellationToken cancellationToken)
    {
        foreach (var format in formats.Distinct(StringComparer.Ordinal))
        {
            var fileName = FileName(block, format);
            var key = BlobKeys.Result(runId, fileName);
            long rows;
            await using (var writer = await blobs.CreateAsync(key, cancellationToken))
            {
                rows = format switch
                {
                    "csv" => await WriteCsvAsync(runId, block.Id, chunks, writer.Stream, cancellationToken),
                    "ndjson" => await WriteNdjsonAsync(runId, block.Id, chunks, writer.Stream, cancellationToken),
                    "json" => await WriteJsonAsync(runId, block.Id, chunks, writer.Stream, cancellationToken),
                    _ => throw new InvalidOperationException($"Unknown result format '{format}'."),
                };
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
                var prefix = $"runs/{runId:N}/blocks/{block.Id}/rejects/";
                await foreach (var rejectKey in blobs.ListAsync(prefix, cancellationToken))
                {
                    await using var stream = await blobs.OpenReadAsync(rejectKey, cancellationToken);
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

    private async Task<long> WriteCsvAsync(Guid runId, string blockId, IReadOnlyList<int> chunks, Stream destination, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var chunk in chunks)
        {
            await using var stream = await blobs.OpenReadAsync(BlobKeys.Chunk(runId, blockId, chunk), cancellationToken);
            var header = await ChunkFormat.ReadHeaderAsync(stream, cancellationToken);
            total += header.Rows;
            foreach (var column in header.Columns.Where(seen.Add))
            {
                columns.Add(column);
            }
        }

        var guard = options.Value.CsvFormulaGuard;
        long count = 0;
        await using var text = new StreamWriter(destination, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        if (total == 0)
        {
            // Sep writes the header with the first row; a block that kept no rows still gets one.
            await text.WriteLineAsync(string.Join(',', columns.Select(Quote)).AsMemory(), cancellationToken);
            await text.FlushAsync(cancellationToken);
            return 0;
        }

        await using (var writer = Sep.New(',').Writer(o => o with { Escape = true, WriteHeader = true }).To(text))
        {
            foreach (var chunk in chunks)
            {
                RowChunk rows;
                await using (var stream = await blobs.OpenReadAsync(BlobKeys.Chunk(runId, blockId, chunk), cancellationToken))
                {
                    rows = await ChunkFormat.ReadAsync(stream, cancellationToken);
                }

                foreach (var row in rows.Rows)
                {
                    await using var csvRow = writer.NewRow(cancellationToken);
                    foreach (var column in columns)
                    {
                        var value = row.TryGetValue(column, out var v) ? RowValues.ToText(v) ?? "" : "";
                        csvRow[column].Set(guard ? CsvFormulaGuard.Apply(value) : value);
                    }

                    count++;
                }
            }
        }

        await text.FlushAsync(cancellationToken);
        return count;
    }

    private static string Quote(string column) =>
        column.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + column.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : column;

    private async Task<long> WriteNdjsonAsync(Guid runId, string blockId, IReadOnlyList<int> chunks, Stream destination, CancellationToken cancellationToken)
    {
        long count = 0;
        foreach (var chunk in chunks)
        {
            await using var stream = await blobs.OpenReadAsync(BlobKeys.Chunk(runId, blockId, chunk), cancellationToken);
            count += (await ChunkFormat.ReadHeaderAsync(stream, cancellationToken)).Rows;
            stream.Position = 0;
            await ChunkFormat.CopyRowsAsync(stream, destination, cancellationToken);
        }

        return count;
    }

    private async Task<long> WriteJsonAsync(Guid runId, string blockId, IReadOnlyList<int> chunks, Stream destination, CancellationToken cancellationToken)
    {
        long count = 0;
        await destination.WriteAsync("["u8.ToArray(), cancellationToken);
        foreach (var chunk in chunks)
        {
            byte[] bytes;
            await using (var stream = await blobs.OpenReadAsync(BlobKeys.Chunk(runId, blockId, chunk), cancellationToken))
            using (var memory = new MemoryStream())
            {
                await stream.CopyToAsync(memory, cancellationToken);
                bytes = memory.ToArray();
            }

            var rest = bytes.AsMemory();
            var newline = rest.Span.IndexOf((byte)'\n');
            rest = newline < 0 ? default : rest[(newline + 1)..];
            while (!rest.IsEmpty)
            {
                var end = rest.Span.IndexOf((byte)'\n');
                var line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? default : rest[(end + 1)..];
                if (line.IsEmpty)
                {
                    continue;
                }

                await destination.WriteAsync(count == 0 ? "\n"u8.ToArray() : ",\n"u8.ToArray(), cancellationToken);
                await destination.WriteAsync(line, cancellationToken);
                count++;
            }
        }

        await destination.WriteAsync("\n]\n"u8.ToArray(), cancellationToken);
        return count;
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
