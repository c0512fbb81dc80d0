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

    /// <summary>
    /// Everything one unit wrote for one chunk (see <see cref="Results.UnitOutputFile"/>): the unit is named by the
    /// first block it ran (a segment head, or the source) and tagged with its lease.
    /// </summary>
    public static string UnitOutput(Guid runId, string headBlockId, int chunk, Guid tag) => $"runs/{runId:N}/units/{headBlockId}/{chunk:D7}.{tag:N}.efo";

    public static string Result(Guid runId, string fileName) => $"runs/{runId:N}/results/{fileName}";
}
