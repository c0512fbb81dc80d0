namespace Enrichflow.Blocks.Export;

/// <summary>
/// How an export block numbers its batches. Chunk <c>c</c> of the block's input is cut, in row order, into batches
/// of <c>batch_size</c> rows; batch <c>i</c> of chunk <c>c</c> is number <c>c * 1,000,000 + i</c>. The number depends
/// only on the chunk (fixed for the run once its source is cut) and the position in it, never on the engine's
/// configuration or timing, so a unit that runs again numbers its batches the same way and its
/// <c>Idempotency-Key</c> (<c>run:block:batch</c>) repeats. A chunk holds at most 1,000,000 rows (the engine's
/// largest chunk size), so the numbers of two chunks never meet.
/// </summary>
internal static class ExportBatches
{
    public const long PerChunk = 1_000_000;

    /// <summary>The batches of a chunk of <paramref name="rowCount"/> rows: number, first row and row count of each.</summary>
    public static List<ExportBatch> Of(int chunk, int rowCount, int batchSize)
    {
        var count = (rowCount + batchSize - 1) / batchSize;
        if (count > PerChunk)
        {
            throw new InvalidOperationException($"Chunk {chunk} has {rowCount} rows; export numbers at most {PerChunk} batches per chunk (raise batch_size).");
        }

        var batches = new List<ExportBatch>(count);
        for (var i = 0; i < count; i++)
        {
            var start = i * batchSize;
            batches.Add(new ExportBatch(chunk * PerChunk + i, start, Math.Min(batchSize, rowCount - start)));
        }

        return batches;
    }

    /// <summary>The idempotency key of a batch: stable across attempts, units and restarts.</summary>
    public static string Key(Guid runId, string blockId, long batch) => $"{runId:D}:{blockId}:{batch}";
}

/// <summary>One batch of a chunk: its number and its rows' range in the chunk.</summary>
internal readonly record struct ExportBatch(long Number, int Start, int Count);
