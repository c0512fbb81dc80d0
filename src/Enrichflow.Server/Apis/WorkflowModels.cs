using System.Text.Json;
using Enrichflow.Core.Storage;

namespace Enrichflow.Server.Apis;

/// <summary>A workflow without its definition (the list's lightweight shape).</summary>
public record WorkflowSummary(
    string Id,
    string Name,
    string Description,
    string Status,
    string Step,
    string OrgId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastRunDate,
    int Version)
{
    public static WorkflowSummary From(WorkflowRecord w) =>
        new(w.Id, w.Name, w.Description, w.Status.ToWire(), w.Step.ToWire(), w.OrgId, w.CreatedAt, w.UpdatedAt, w.LastRunDate, w.Version);
}

/// <summary>A workflow with its definition (docs/api.md §2 <c>Workflow</c>).</summary>
public sealed record WorkflowResponse(
    string Id,
    string Name,
    string Description,
    string Status,
    string Step,
    string OrgId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastRunDate,
    int Version,
    JsonElement WorkflowDefinition)
{
    public static WorkflowResponse From(WorkflowRecord w)
    {
        using var document = JsonDocument.Parse(w.DefinitionJson);
        return new(w.Id, w.Name, w.Description, w.Status.ToWire(), w.Step.ToWire(), w.OrgId, w.CreatedAt, w.UpdatedAt, w.LastRunDate, w.Version, document.RootElement.Clone());
    }
}

public sealed record BlockInfo(string BlockName, string Description, IReadOnlyList<string> DataframeTypes, JsonElement SpecsSchema, IReadOnlyList<string> Aliases, string Role, string? Yields);

public sealed record ValidResponse(bool Valid);
