using Enrichflow.Core.Blocks;
using nietras.SeparatedValues;

namespace Enrichflow.Blocks.Sources;

/// <summary>The <c>read_csv</c> source: streams an upload (CSV, JSON, JSONL, NDJSON).</summary>
public sealed class ReadCsvBlockType : BlockType<ReadCsvSpecs>
{
    public override string Name => "read_csv";

    public override string SpecsExample => """
        {"delimiter": ",", "dataframe_type": "COMPANY", "input_schema": {"company_name": {"type": "str", "required": true}, "website": {"type": "str"}}}
        """;

    public override string Description =>
        "Streams an uploaded file (CSV with a header, a JSON array of objects, or JSONL/NDJSON) as rows; malformed records go to rejects unless strict.";

    public override BlockRole Role => BlockRole.Source;

    protected override CompiledBlock? Compile(ReadCsvSpecs specs, BlockCompileContext context)
    {
        var type = SourceSpecs.ParseDataframeType(specs.DataframeType, context);
        var delimiter = ParseDelimiter(specs.Delimiter, context);
        SourceSpecs.CheckSchema(specs.InputSchema, context);
        return new ReadCsvBlock(specs, type, SourceReadOptions.Within(context.Limits) with { Delimiter = delimiter, Strict = specs.Strict });
    }

    /// <summary>One character, or <c>\t</c> / <c>tab</c>; Sep refuses quotes, line breaks and the like.</summary>
    private static char? ParseDelimiter(string? value, BlockCompileContext context)
    {
        if (value is null)
        {
            return null;
        }

        char? delimiter = value switch
        {
            "\\t" or "\t" => '\t',
            _ when value.Equals("tab", StringComparison.OrdinalIgnoreCase) => '\t',
            { Length: 1 } => value[0],
            _ => null,
        };
        if (delimiter is { } c)
        {
            try
            {
                _ = Sep.New(c);
                return c;
            }
            catch (ArgumentException)
            {
                // Reported below.
            }
        }

        context.AddError("delimiter", $"delimiter of block '{context.Definition.BlockId}' must be one character such as , ; | or \\t, not '{value}'.");
        return null;
    }
}
