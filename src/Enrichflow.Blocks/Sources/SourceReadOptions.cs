using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Sources;

/// <summary>
/// How an upload is read. The size limits bound memory regardless of the file: a record longer than
/// <see cref="MaxRecordBytes"/> is cut off before it reaches the CSV parser (and rejected), so the parser's
/// buffer never holds more than about one such record; a field longer than <see cref="MaxFieldBytes"/> rejects
/// its record.
/// </summary>
public sealed record SourceReadOptions
{
    public const int DefaultMaxFieldBytes = 1024 * 1024;

    public const int DefaultMaxRecordBytes = 8 * 1024 * 1024;

    /// <summary>The CSV delimiter; null to sniff it among <c>,</c> <c>;</c> tab <c>|</c>.</summary>
    public char? Delimiter { get; init; }

    /// <summary>When true, the first malformed record throws <see cref="Core.Blocks.SourceFormatException"/>; otherwise it is rejected.</summary>
    public bool Strict { get; init; }

    /// <summary>The largest field, in UTF-8 bytes (1 MiB by default).</summary>
    public int MaxFieldBytes { get; init; } = DefaultMaxFieldBytes;

    /// <summary>The largest record (CSV record, JSONL line, JSON array element), in bytes (8 MiB by default; <c>Limits:MaxRecordBytes</c>).</summary>
    public int MaxRecordBytes { get; init; } = DefaultMaxRecordBytes;

    /// <summary>When true, a record over <see cref="MaxRecordBytes"/> throws even when not strict (upload inspection).</summary>
    public bool FailOnOversized { get; init; }

    /// <summary>The most characters of a malformed record kept in its reject's <c>raw</c>.</summary>
    public int MaxRawChars { get; init; } = 1024;

    /// <summary>The options for a source under the configured caps: the field cap never exceeds the record cap.</summary>
    public static SourceReadOptions Within(InputLimits limits) => new()
    {
        MaxRecordBytes = limits.MaxRecordBytes,
        MaxFieldBytes = Math.Min(DefaultMaxFieldBytes, limits.MaxRecordBytes),
    };

    internal static string Size(long bytes) => InputLimits.Size(bytes);
}
