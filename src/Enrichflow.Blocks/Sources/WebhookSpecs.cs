using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Enrichflow.Blocks.Sources;

/// <summary>Specs of the <c>webhook</c> source block (docs/api.md §5).</summary>
public sealed class WebhookSpecs
{
    /// <summary>The columns the payload's rows carry; <c>required</c> ones are checked on every row.</summary>
    [Description("The columns the payload's rows carry: {column: {type, required, description}}; required ones are checked on every row, and blocks' column references are checked against them.")]
    public Dictionary<string, InputSchemaColumn?>? InputSchema { get; init; }

    /// <summary>A sample payload, kept with the definition; ignored when running.</summary>
    [Description("A sample payload (an object or a list of objects), kept with the definition; without input_schema, blocks' column references are checked against its columns.")]
    public JsonElement? WebhookInput { get; init; }

    /// <summary>LEAD or COMPANY (any case); undeclared when absent.</summary>
    [Description("The kind of rows the payload holds (any case); undeclared when absent.")]
    [AllowedValues("LEAD", "COMPANY")]
    public string? DataframeType { get; init; }

    /// <summary>When true, a row missing a required column fails the run instead of being rejected.</summary>
    [Description("When true, a payload with a row missing a required column is refused (400) instead of the row being rejected.")]
    public bool Strict { get; init; }
}
