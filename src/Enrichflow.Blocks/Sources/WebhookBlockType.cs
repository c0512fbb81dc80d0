using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Sources;

/// <summary>The <c>webhook</c> source: rows from the run request's <c>webhook_payload</c>.</summary>
public sealed class WebhookBlockType : BlockType<WebhookSpecs>
{
    public override string Name => "webhook";

    public override string SpecsExample => """
        {"dataframe_type": "LEAD", "input_schema": {"email": {"type": "str", "required": true, "description": "work email"}, "full_name": {"type": "str"}, "company": {"type": "str"}}}
        """;

    public override string Description =>
        "Rows from the run request's webhook_payload (a list of objects, or one object for one row).";

    public override BlockRole Role => BlockRole.Source;

    protected override CompiledBlock? Compile(WebhookSpecs specs, BlockCompileContext context)
    {
        var type = SourceSpecs.ParseDataframeType(specs.DataframeType, context);
        SourceSpecs.CheckSchema(specs.InputSchema, context);

        return new WebhookBlock(specs, type, context.Limits.MaxRecordBytes);
    }
}
