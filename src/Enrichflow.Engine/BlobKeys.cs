namespace Enrichflow.Engine;

/// <summary>Where a run's data lives in the blob store.</summary>
public static class BlobKeys
{
    public static string RunPrefix(Guid runId) => $"runs/{runId:N}/";

    public static string Payload(Guid runId) => $"runs/{runId:N}/input/payload.json";

    public static string Upload(string orgId, Guid handleId) => $"uploads/{orgId}/{handleId:N}";

    public static string Chunk(Guid runId, string blockId, int chunk) => $"runs/{runId:N}/blocks/{blockId}/chunks/{chunk:D7}.ndjson";

    public static string Rejects(Guid runId, string blockId, int chunk) => $"runs/{runId:N}/blocks/{blockId}/rejects/{chunk:D7}.ndjson";

    public static string Result(Guid runId, string fileName) => $"runs/{runId:N}/results/{fileName}";
}
