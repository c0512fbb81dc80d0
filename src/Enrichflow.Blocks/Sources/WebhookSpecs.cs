using System.Text.Json;

namespace Enrichflow.Blocks.Sources;

/// <summary>Specs of the <c>webhook</c> source block (docs/api.md §5).</summary>
public sealed class WebhookSpecs
{
    /// <summary>The columns the payload's rows carry; <c>required</c> ones are checked on every row.</summary>
    public Dictionary<string, InputSchemaColumn>? InputSchema { get; init; }

    /// <summary>A sample payload, kept with the definition; ignored when running.</summary>
    public JsonElement? WebhookInput { get; init; }

    /// <summary>LEAD or COMPANY (any case); undeclared when absent.</summary>
    public string? DataframeType { get; init; }

    /// <summary>When true, a row missing a required column fails the run instead of being rejected.</summary>
    public bool Strict { get; init; }
}
