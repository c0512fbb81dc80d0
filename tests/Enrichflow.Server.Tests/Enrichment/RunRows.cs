using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Enrichment;

/// <summary>What an enrichment run's files hold: the final rows (NDJSON) and the rejects.</summary>
internal static class RunRows
{
    /// <summary>The final block's rows; the run must have asked for <c>result_formats=ndjson</c>.</summary>
    public static async Task<List<JsonElement>> FinalAsync(TestServer server, string runId) =>
        [.. (await server.DownloadFinalAsync(runId, "ndjson")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    /// <summary>The lines of <c>rejects.ndjson</c> (none when the run rejected nothing).</summary>
    public static async Task<List<JsonElement>> RejectsAsync(TestServer server, string runId)
    {
        var links = await server.DownloadLinksAsync(runId, "rejects");
        return links.EnumerateArray().FirstOrDefault(l => l.GetProperty("filename").GetString() == "rejects.ndjson") is { ValueKind: JsonValueKind.Object } file
            ? [.. file.GetProperty("results").EnumerateArray()]
            : [];
    }
}
