using System.Text.Json;
using System.Text.Json.Serialization;
using Enrichflow.Core.Definitions;
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
    JsonElement WorkflowDefinition,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WarningItem>? Warnings = null)
{
    public static WorkflowResponse From(WorkflowRecord w)
    {
        using var document = JsonDocument.Parse(w.DefinitionJson);
        return new(w.Id, w.Name, w.Description, w.Status.ToWire(), w.Step.ToWire(), w.OrgId, w.CreatedAt, w.UpdatedAt, w.LastRunDate, w.Version, document.RootElement.Clone());
    }

    /// <summary>The saved workflow, with the definition's warnings when there are any (docs/api.md §2.1).</summary>
    public static WorkflowResponse From(WorkflowRecord w, IReadOnlyList<DefinitionWarning> warnings) =>
        warnings.Count == 0 ? From(w) : From(w) with { Warnings = WarningItem.From(warnings) };
}

public sealed record BlockInfo(string BlockName, string Description, IReadOnlyList<string> DataframeTypes, JsonElement SpecsSchema, IReadOnlyList<string> Aliases, string Role, string? Yields);

/// <summary><c>{valid: true, warnings: [...]}</c> of <c>POST /workflows/validate</c>.</summary>
public sealed record ValidResponse(bool Valid, IReadOnlyList<WarningItem> Warnings);

/// <summary>Something in a definition that is likely not meant, at its place: <c>{loc, msg}</c> (docs/api.md §2.1).</summary>
public sealed record WarningItem(IReadOnlyList<object> Loc, string Msg)
{
    public static List<WarningItem> From(IReadOnlyList<DefinitionWarning> warnings) => [.. warnings.Select(w => new WarningItem(w.Loc, w.Msg))];
}
