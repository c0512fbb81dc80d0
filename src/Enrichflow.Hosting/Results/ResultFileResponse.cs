namespace Enrichflow.Hosting.Results;

/// <summary>A result file and its signed link (docs/api.md §3.1 <c>ResultFile</c>); <c>file_size</c> is null until a deferred file is rendered.</summary>
public sealed record ResultFileResponse(
    string Filename,
    string StorageBucket,
    long RowCount,
    int BlockNumber,
    string BlockId,
    DateTimeOffset CreatedAt,
    string? Message,
    string ContentType,
    long? FileSize,
    string DownloadUrl,
    int DownloadExpiresInSeconds,
    IReadOnlyList<System.Text.Json.JsonElement>? Results);
