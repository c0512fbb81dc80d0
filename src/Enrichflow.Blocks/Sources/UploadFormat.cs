namespace Enrichflow.Blocks.Sources;

/// <summary>The formats an upload may have (docs/api.md §4), told by the file name's extension.</summary>
public enum UploadFormat { Csv, Json, JsonLines }

/// <summary>Maps file names to <see cref="UploadFormat"/>.</summary>
public static class UploadFormats
{
    /// <summary>The format of <paramref name="fileName"/> (.csv, .json, .jsonl, .ndjson, any case); null for any other.</summary>
    public static UploadFormat? FromFileName(string? fileName) =>
        Path.GetExtension(fileName)?.ToUpperInvariant() switch
        {
            ".CSV" => UploadFormat.Csv,
            ".JSON" => UploadFormat.Json,
            ".JSONL" or ".NDJSON" => UploadFormat.JsonLines,
            _ => null,
        };
}

/// <summary>What <see cref="UploadInspector.InspectAsync"/> found at the start of an upload.</summary>
/// <param name="Format">The format, from the extension.</param>
/// <param name="Delimiter">The CSV delimiter (sniffed); null for JSON formats.</param>
/// <param name="Columns">The header's column names (CSV, after renaming) or the first object's keys (JSON).</param>
public sealed record UploadInspection(UploadFormat Format, char? Delimiter, IReadOnlyList<string> Columns);
