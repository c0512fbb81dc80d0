namespace Enrichflow.Engine;

/// <summary>
/// Where a run's data lives in the blob store. Files a unit writes carry the unit's lease token as a tag, so the
/// store's commit record says which attempt's files are the real ones.
/// </summary>
public static class BlobKeys
{
    public static string RunPrefix(Guid runId) => $"runs/{runId:N}/";

    public static string Payload(Guid runId) => $"runs/{runId:N}/input/payload.json";

    public static string Upload(string orgId, Guid handleId) => $"uploads/{orgId}/{handleId:N}";

    /// <summary>A chunk as later units read it (binary, <see cref="Core.Rows.ChunkFormat"/>).</summary>
    public static string Chunk(Guid runId, string blockId, int chunk, Guid tag) => $"runs/{runId:N}/blocks/{blockId}/chunks/{chunk:D7}.{tag:N}.efc";

    /// <summary>A chunk's rows as CSV, with its own header line.</summary>
    public static string CsvFragment(Guid runId, string blockId, int chunk, Guid tag) => $"runs/{runId:N}/blocks/{blockId}/csv/{chunk:D7}.{tag:N}.csv";

    /// <summary>A chunk's rows as NDJSON lines (written when NDJSON or JSON results were asked for).</summary>
    public static string NdjsonFragment(Guid runId, string blockId, int chunk, Guid tag) => $"runs/{runId:N}/blocks/{blockId}/ndjson/{chunk:D7}.{tag:N}.ndjson";

    public static string Rejects(Guid runId, string blockId, int chunk, Guid tag) => $"runs/{runId:N}/blocks/{blockId}/rejects/{chunk:D7}.{tag:N}.ndjson";

    public static string Result(Guid runId, string fileName) => $"runs/{runId:N}/results/{fileName}";
}
