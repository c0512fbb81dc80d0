using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Enrichflow.Client.Models;

/// <summary>
/// A workflow (docs/api.md §2 <c>Workflow</c>). The list answers carry no <see cref="WorkflowDefinition"/>. Fields only
/// Enrichflow has (<see cref="Version"/>, <see cref="Warnings"/>) are null or 0 from Sixtyfour; unknown fields are ignored.
/// </summary>
public sealed record Workflow(
    string Id,
    string Name,
    string? Description,
    string Status,
    string Step,
    string? OrgId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastRunDate,
    int Version,
    WorkflowDefinition? WorkflowDefinition,
    IReadOnlyList<ApiErrorItem>? Warnings);

/// <summary>A workflow's graph: blocks and the edges between them (docs/api.md §2.1).</summary>
public sealed record WorkflowDefinition(IReadOnlyList<WorkflowBlock> Blocks, IReadOnlyList<WorkflowEdge>? Edges = null)
{
    /// <summary>The source block (the one no edge goes into), or null when every block has an incoming edge.</summary>
    public WorkflowBlock? Source
    {
        get
        {
            var targets = (Edges ?? []).Select(e => e.ToBlockId).ToHashSet(StringComparer.Ordinal);
            return Blocks.OrderBy(b => b.SequenceNumber).FirstOrDefault(b => b.BlockId is null || !targets.Contains(b.BlockId));
        }
    }
}

/// <summary>
/// One block: its registered name (§5) in <see cref="BlockName"/>, and <see cref="BlockType"/> (which Sixtyfour requires)
/// the same name unless given.
/// </summary>
public sealed record WorkflowBlock(int SequenceNumber, string BlockName, JsonObject? Specs = null, string? BlockId = null, string? BlockType = null)
{
    public string? BlockType { get; init; } = BlockType ?? BlockName;

    /// <summary>Always an object on the wire (Sixtyfour requires <c>specs</c>).</summary>
    public JsonObject? Specs { get; init; } = Specs ?? [];
}

/// <summary>An edge; rows for which <see cref="Condition"/> (§5.1) is false do not travel it.</summary>
public sealed record WorkflowEdge(string FromBlockId, string ToBlockId, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Condition = null);

/// <summary>The body of <c>POST /workflows/create_workflow</c>; <see cref="Id"/> is optional (a client-chosen id).</summary>
public sealed record CreateWorkflowRequest(
    string WorkflowName,
    WorkflowDefinition WorkflowDefinition,
    string WorkflowDescription = "",
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id = null);

/// <summary>The body of <c>POST /workflows/update_workflow</c>: the fields given are changed.</summary>
public sealed record UpdateWorkflowRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkflowName = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkflowDescription = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WorkflowDefinition? WorkflowDefinition = null);

/// <summary>The answer of <c>POST /workflows/validate</c> (ours) when the definition is valid.</summary>
public sealed record ValidationResult(bool Valid, IReadOnlyList<ApiErrorItem>? Warnings);

/// <summary>The body of <c>POST /workflows/validate</c>.</summary>
public sealed record ValidateRequest(WorkflowDefinition WorkflowDefinition);

/// <summary>A block of the catalogue (<c>GET /workflows/blocks</c>): its specs as JSON Schema.</summary>
public sealed record BlockInfo(
    string BlockName,
    string? Description,
    IReadOnlyList<string>? DataframeTypes,
    JsonElement SpecsSchema,
    IReadOnlyList<string>? Aliases,
    string? Role,
    string? Yields);
