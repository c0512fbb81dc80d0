namespace Enrichflow.Core.Blocks;

/// <summary>
/// The caps on what a client sends (section <c>Limits</c>, docs/api.md §9): the largest record any reader holds
/// (a CSV record, a JSON or JSONL element, a webhook payload element) and the size of a workflow definition.
/// Inputs over a cap are refused with a 4xx naming where, or rejected by line or index during a run.
/// </summary>
public sealed class InputLimits
{
    public const string Section = "Limits";

    /// <summary>The defaults, for code that has no configuration (tests, tools).</summary>
    public static InputLimits Default { get; } = new();

    /// <summary>The largest record, in bytes: a CSV record, a JSONL line, one element of a JSON array or of <c>webhook_payload</c>; 8 MiB.</summary>
    public int MaxRecordBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The most blocks of a definition; 1,000.</summary>
    public int MaxBlocks { get; set; } = 1000;

    /// <summary>The most edges of a definition; 5,000.</summary>
    public int MaxEdges { get; set; } = 5000;

    /// <summary>The largest <c>specs</c> of one block, in bytes of JSON; 256 KiB.</summary>
    public int MaxSpecsBytes { get; set; } = 256 * 1024;

    /// <summary>The longest expression (a <c>filter</c>, a <c>transform</c> or an edge <c>condition</c>), in characters; 8,192.</summary>
    public int MaxExpressionLength { get; set; } = 8 * 1024;

    /// <summary>The largest <c>workflow_definition</c>, in bytes of JSON; 4 MiB.</summary>
    public int MaxDefinitionBytes { get; set; } = 4 * 1024 * 1024;

    public IEnumerable<string> Validate()
    {
        if (MaxRecordBytes < 1024)
        {
            yield return $"Limits:MaxRecordBytes must be at least 1024 (was {MaxRecordBytes}).";
        }

        if (MaxRecordBytes > 1024 * 1024 * 1024)
        {
            yield return $"Limits:MaxRecordBytes must be at most 1 GiB (was {MaxRecordBytes}).";
        }

        foreach (var (name, value) in new[] { ("MaxBlocks", MaxBlocks), ("MaxEdges", MaxEdges), ("MaxSpecsBytes", MaxSpecsBytes), ("MaxExpressionLength", MaxExpressionLength), ("MaxDefinitionBytes", MaxDefinitionBytes) })
        {
            if (value < 1)
            {
                yield return $"Limits:{name} must be at least 1 (was {value}).";
            }
        }
    }

    /// <summary>"8 MiB", "256 KiB" or "1000 bytes".</summary>
    public static string Size(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB"
        : bytes % 1024 == 0 ? $"{bytes / 1024} KiB"
        : $"{bytes} bytes";
}
