namespace Enrichflow.Blocks.Sources;

/// <summary>Specs of the <c>read_csv</c> source block (docs/api.md §4, §5).</summary>
public sealed class ReadCsvSpecs
{
    /// <summary>The upload to read; usually given per run in <c>specs_override</c>.</summary>
    public string? ResourceHandleId { get; init; }

    /// <summary>The CSV delimiter: one character, or <c>\t</c> / <c>tab</c>; sniffed when absent.</summary>
    public string? Delimiter { get; init; }

    /// <summary>When true, the first malformed record fails the run, naming its line; otherwise it is rejected.</summary>
    public bool Strict { get; init; }

    /// <summary>LEAD or COMPANY (any case); undeclared when absent.</summary>
    public string? DataframeType { get; init; }

    /// <summary>The columns the upload carries; <c>required</c> ones are checked on every row.</summary>
    public Dictionary<string, InputSchemaColumn>? InputSchema { get; init; }
}
