using System.Text.Json;

namespace Enrichflow.Core.Definitions;

/// <summary>A workflow: blocks joined by edges (docs/api.md §2.1).</summary>
public sealed record WorkflowDefinition(IReadOnlyList<BlockDefinition> Blocks, IReadOnlyList<EdgeDefinition> Edges);

/// <param name="BlockId">Given, or <c>block_&lt;sequence_number&gt;</c>.</param>
/// <param name="Specs">The block's specs as sent (an object; empty when absent).</param>
public sealed record BlockDefinition(int SequenceNumber, string BlockType, string BlockName, string BlockId, JsonElement Specs);

public sealed record EdgeDefinition(string FromBlockId, string ToBlockId, string? Condition);

/// <summary>One problem in a request or definition, located by <see cref="Loc"/> (FastAPI's shape).</summary>
public sealed record DefinitionError(IReadOnlyList<object> Loc, string Msg, string Type = "value_error");

/// <summary>Something in a definition that is not wrong but likely not meant (an unknown spec key); the definition still validates (docs/api.md §2.1).</summary>
public sealed record DefinitionWarning(IReadOnlyList<object> Loc, string Msg);
