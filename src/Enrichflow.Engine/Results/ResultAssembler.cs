using System.Text;
using Enrichflow.Core.Buffers;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Microsoft.Extensions.Options;
using nietras.SeparatedValues;

namespace Enrichflow.Engine.Results;

/// <summary>
/// Writes a block's result files by concatenating its committed chunks' fragments, in chunk order (docs/api.md §3.1):
/// CSV always, NDJSON and JSON when asked. A fragment is the section a unit wrote, or, for the files
/// <see cref="Materialization"/> defers, one rendered now from the chunk's stored or replayed rows; such a file is
/// first recorded as pending and rendered on its first download (<see cref="ResultRenderer"/>). Reads one fragment at a
/// time, so memory does not grow with the run, and only from the unit files of the committing attempts (their tags).
/// </summary>
public sealed class ResultAssembler(IRunStore store, IBlobStore blobs, ChunkReplay replay, IOptions<ResultsOptions> results, IOptions<EngineOptions> engine, TimeProvider time)
{
    public const string RejectsFileName = "rejects.ndjson";

    private readonly bool _all = results.Value.All;

    public static string FileName(PlannedBlock block, ResultFormat format) => $"{block.Definition.SequenceNumber}_{block.Id}.{format.ToWire()}";

    /// <summary>
    /// Records the result files of <paramref name="block"/> over the given committed chunks (all, or the finished ones
    /// of a stopped run): written now, or recorded pending when they are deferred.
    /// </summary>
    public async Task AssembleBlockAsync(RunRecord run, WorkflowPlan plan, PlannedBlock block, IReadOnlyList<ResultFormat> formats, IReadOnlyList<ChunkOutputRecord> chunks, string? message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var rows = chunks.Sum(c => c.RowsOut);
        var deferred = Materialization.FilesDeferred(plan, block, _all);
        foreach (var format in formats.Distinct())
        {
            var fileName = FileName(block, format);
            var record = new ResultFileRecord(run.Id, block.Id, block.Definition.SequenceNumber, format, fileName, BlobKeys.Result(run.Id, fileName), rows, 0, time.GetUtcNow(), message);
            if (deferred)
            {
                await store.PutResultFileAsync(record with { Pending = true }, cancellationToken);
                continue;
            }

            await store.PutResultFileAsync(await RenderBlockFileAsync(run, plan, block, record, chunks, cancellationToken), cancellationToken);
        }
    }

    /// <summary>Writes one block file from its chunks' fragments; returns the record with its size, no longer pending.</summary>
    public async Task<ResultFileRecord> RenderBlockFileAsync(RunRecord run, WorkflowPlan plan, PlannedBlock block, ResultFileRecord file, IReadOnlyList<ChunkOutputRecord> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var fragments = FragmentsOf(run, plan, block, chunks);
        var written = await WriteResultAsync(file.BlobKey, file.Format, fragments, union: false, cancellationToken)
            || await WriteResultAsync(file.BlobKey, file.Format, fragments, union: true, cancellationToken);
        if (!written)
        {
            throw new InvalidOperationException($"The {file.Format.ToWire()} result of block '{block.Id}' could not be assembled.");
        }

        return file with { FileSize = await blobs.GetSizeAsync(file.BlobKey, cancellationToken) ?? 0, Pending = false };
    }

    /// <summary>
    /// Writes one result file; false (nothing committed) when a CSV fragment's header differs from the first one's
    /// and <paramref name="union"/> is off, so the caller writes it again under the union of the columns.
    /// </summary>
    private async Task<bool> WriteResultAsync(string key, ResultFormat format, Fragments fragments, bool union, CancellationToken cancellationToken)
    {
        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        switch (format)
        {
            case ResultFormat.Csv when union:
                await WriteCsvUnionAsync(fragments, writer.Stream, cancellationToken);
                break;
            case ResultFormat.Csv:
                if (!await WriteCsvAsync(fragments, writer.Stream, cancellationToken))
                {
                    return false;
                }

                break;
            case ResultFormat.Ndjson:
                for (var i = 0; i < fragments.Count; i++)
                {
                    using var section = await fragments.GetAsync(i, SectionKind.Ndjson, cancellationToken);
                    if (section is not null)
                    {
                        await writer.Stream.WriteAsync(section.WrittenMemory, cancellationToken);
                    }
                }

                break;
            case ResultFormat.Json:
                await WriteJsonAsync(fragments, writer.Stream, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Unknown result format '{format}'.");
        }

        await writer.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Records <c>rejects.ndjson</c> when any block rejected a row: every block's rejects, in plan order then chunk
    /// order; written now, or recorded pending when some block's rejects are deferred.
    /// </summary>
    public async Task AssembleRejectsAsync(RunRecord run, WorkflowPlan plan, string? message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        var record = new ResultFileRecord(run.Id, "rejects", 0, ResultFormat.Ndjson, RejectsFileName, BlobKeys.Result(run.Id, RejectsFileName), 0, 0, time.GetUtcNow(), message);
        if (plan.Blocks.Any(b => Materialization.RejectsDeferred(plan, b, _all)))
        {
            // A line per rejected row: the committed counters say how many, without rendering them.
            var lines = (await store.GetRunBlocksAsync(run.Id, cancellationToken)).Sum(b => b.RowsRejected);
            if (lines > 0)
            {
                await store.PutResultFileAsync(record with { RowCount = lines, Pending = true }, cancellationToken);
            }

            return;
        }

        if (await RenderRejectsAsync(run, plan, record, cancellationToken) is { } rendered)
        {
            await store.PutResultFileAsync(rendered, cancellationToken);
        }
    }

    /// <summary>Writes <c>rejects.ndjson</c>; null (nothing written) when no block rejected a row.</summary>
    public async Task<ResultFileRecord?> RenderRejectsAsync(RunRecord run, WorkflowPlan plan, ResultFileRecord file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(file);
        long lines = 0;
        await using (var writer = await blobs.CreateAsync(file.BlobKey, cancellationToken))
        {
            foreach (var block in plan.Blocks)
            {
                var fragments = FragmentsOf(run, plan, block, await store.ListChunkOutputsAsync(run.Id, block.Id, cancellationToken));
                for (var i = 0; i < fragments.Count; i++)
                {
                    using var section = await fragments.GetAsync(i, SectionKind.Rejects, cancellationToken);
                    if (section is not null)
                    {
                        lines += section.WrittenSpan.Count((byte)'\n');
                        await writer.Stream.WriteAsync(section.WrittenMemory, cancellationToken);
                    }
                }
            }

            if (lines == 0)
            {
                return null;
            }

            await writer.CommitAsync(cancellationToken);
        }

        return file with { RowCount = lines, FileSize = await blobs.GetSizeAsync(file.BlobKey, cancellationToken) ?? 0, Pending = false };
    }

    /// <summary>
    /// One block's fragments of one kind, chunk by chunk: the section its unit wrote when there is one; otherwise,
    /// for what <see cref="Materialization"/> defers, rendered from the chunk's stored or replayed rows, the same
    /// bytes the unit would have written.
    /// </summary>
    private Fragments FragmentsOf(RunRecord run, WorkflowPlan plan, PlannedBlock block, IReadOnlyList<ChunkOutputRecord> chunks) =>
        new(blobs, replay, engine.Value.CsvFormulaGuard, _all, run, plan, block, chunks);

    private sealed class Fragments(IBlobStore blobs, ChunkReplay replay, bool formulaGuard, bool all, RunRecord run, WorkflowPlan plan, PlannedBlock block, IReadOnlyList<ChunkOutputRecord> chunks)
    {
        private readonly string _head = Segments.HeadOf(plan, block).Id;
        private readonly bool _filesDeferred = Materialization.FilesDeferred(plan, block, all);
        private readonly bool _rejectsDeferred = Materialization.RejectsDeferred(plan, block, all);

        public int Count => chunks.Count;

        public async Task<PooledBuffer?> GetAsync(int index, SectionKind kind, CancellationToken cancellationToken)
        {
            var chunk = chunks[index];
            var key = BlobKeys.UnitOutput(run.Id, _head, chunk.Chunk, chunk.OutputTag);
            var deferred = kind == SectionKind.Rejects ? _rejectsDeferred : _filesDeferred;
            var written = await UnitOutputFile.ReadSectionAsync(blobs, key, block.Id, kind, cancellationToken);
            if (written is not null || !deferred)
            {
                return written;
            }

            RowChunk rows;
            Func<IReadOnlyList<string>> columnsWhenEmpty;
            IReadOnlyList<RejectedRow> rejects = [];
            if (Materialization.Replayable(plan, block))
            {
                var replayed = await replay.ReplayAsync(run, plan, block, chunk.Chunk, cancellationToken);
                rows = new RowChunk(chunk.Chunk, replayed.Output.Rows);
                rejects = replayed.Output.Rejects;
                columnsWhenEmpty = () => block.Compiled.OutputColumns(replayed.Input.Columns()) ?? [];
            }
            else
            {
                // Stored rows; a chunk that kept none wrote its header-only CSV fragment in its unit (see UnitExecutor).
                rows = await replay.ReadStoredAsync(run.Id, plan, block, chunk.Chunk, chunk.OutputTag, cancellationToken);
                columnsWhenEmpty = () => [];
            }

            var buffer = new PooledBuffer(64 * 1024);
            switch (kind)
            {
                case SectionKind.Csv:
                    CsvFragments.Render(buffer, rows.Count > 0 ? rows.Columns() : columnsWhenEmpty(), rows.Rows, formulaGuard);
                    break;
                case SectionKind.Ndjson:
                    ChunkFormat.WriteNdjson(buffer, rows.Rows);
                    break;
                case SectionKind.Rejects when rejects.Count > 0:
                    RejectsFormat.Write(buffer, block.Id, rejects);
                    break;
            }

            return buffer;
        }
    }

    /// <summary>
    /// The usual case, in one pass: every fragment has the first one's header, which is written once, followed by
    /// each fragment's rows as bytes. Returns false at the first fragment whose header differs.
    /// </summary>
    private static async Task<bool> WriteCsvAsync(Fragments fragments, Stream destination, CancellationToken cancellationToken)
    {
        byte[]? header = null;
        for (var i = 0; i < fragments.Count; i++)
        {
            using var fragment = await fragments.GetAsync(i, SectionKind.Csv, cancellationToken);
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

    private static async Task WriteCsvUnionAsync(Fragments fragments, Stream destination, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < fragments.Count; i++)
        {
            using var fragment = await fragments.GetAsync(i, SectionKind.Csv, cancellationToken);
            if (fragment is not null && fragment.WrittenCount > 0)
            {
                columns.AddRange(HeaderOf(fragment).Where(seen.Add));
            }
        }

        await destination.WriteAsync(Encoding.UTF8.GetBytes(string.Join(',', columns.Select(CsvFragments.Quote)) + "\n"), cancellationToken);
        for (var i = 0; i < fragments.Count; i++)
        {
            using var fragment = await fragments.GetAsync(i, SectionKind.Csv, cancellationToken);
            if (fragment is not null && fragment.WrittenCount > 0)
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

    private static async Task WriteJsonAsync(Fragments fragments, Stream destination, CancellationToken cancellationToken)
    {
        var first = true;
        await destination.WriteAsync("["u8.ToArray(), cancellationToken);
        for (var i = 0; i < fragments.Count; i++)
        {
            using var section = await fragments.GetAsync(i, SectionKind.Ndjson, cancellationToken);
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
