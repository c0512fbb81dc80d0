using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Enrichflow.Blocks.Sources;

/// <summary>Specs of the <c>read_csv</c> source block (docs/api.md §4, §5).</summary>
public sealed class ReadCsvSpecs
{
    /// <summary>The upload to read; usually given per run in <c>specs_override</c>.</summary>
    [Description("The upload read (the handle_id of POST /storage/csv/upload); usually given per run in specs_override.")]
    public string? ResourceHandleId { get; init; }

    /// <summary>The CSV delimiter: one character, or <c>\t</c> / <c>tab</c>; sniffed when absent.</summary>
    [Description("The CSV delimiter: one character, or \\t or tab; sniffed among , ; tab | when absent.")]
    public string? Delimiter { get; init; }

    /// <summary>When true, the first malformed record fails the run, naming its line; otherwise it is rejected.</summary>
    [Description("When true, the first malformed record fails the run, naming its line; otherwise it goes to rejects.")]
    public bool Strict { get; init; }

    /// <summary>LEAD or COMPANY (any case); undeclared when absent.</summary>
    [Description("The kind of rows the upload holds (any case); undeclared when absent.")]
    [AllowedValues("LEAD", "COMPANY")]
    public string? DataframeType { get; init; }

    /// <summary>The columns the upload carries; <c>required</c> ones are checked on every row.</summary>
    [Description("The columns the upload carries: {column: {type, required, description}}; required ones are checked on every row, and blocks' column references are checked against them.")]
    public Dictionary<string, InputSchemaColumn?>? InputSchema { get; init; }
}
