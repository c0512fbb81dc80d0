using System.Text.Json;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Hosting.Local;

/// <summary>A workflow saved by <see cref="LocalWorkflows.CreateAsync"/>, or every problem that kept it from being saved.</summary>
public sealed record LocalWorkflow(WorkflowRecord? Workflow, IReadOnlyList<DefinitionError> Errors, IReadOnlyList<DefinitionWarning> Warnings);

/// <summary>
/// Workflows created in process (the one-shot <c>enrichflow run</c>) with the checks of <c>POST /workflows/create_workflow</c>
/// (docs/api.md §2): the body's shape, then the definition's meaning, every problem with its <c>loc</c>.
/// </summary>
public static class LocalWorkflows
{
    /// <summary>
    /// Checks a <c>create_workflow</c> body (<c>{workflow_name, workflow_description?, workflow_definition, id?}</c>) and
    /// saves it for <paramref name="orgId"/>: a new workflow, or a new version when <c>id</c> names one that exists.
    /// </summary>
    public static async Task<LocalWorkflow> CreateAsync(IServiceProvider services, string orgId, JsonElement body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var errors = new List<DefinitionError>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            return new LocalWorkflow(null, [new DefinitionError(["body"], "Input should be a valid dictionary", "dict_type")], []);
        }

        var name = OptionalString(body, "workflow_name", errors);
        var description = OptionalString(body, "workflow_description", errors) ?? "";
        var id = OptionalString(body, "id", errors);
        if (name is null && errors.Count == 0)
        {
            errors.Add(new DefinitionError(["body", "workflow_name"], "Field required", "missing"));
        }

        if (!body.TryGetProperty("workflow_definition", out var definition) || definition.ValueKind == JsonValueKind.Null)
        {
            errors.Add(new DefinitionError(["body", "workflow_definition"], "Field required", "missing"));
        }
        else
        {
            DefinitionParser.Parse(definition, ["body", "workflow_definition"], errors);
        }

        if (id is not null && !Identifiers.IsValid(id))
        {
            errors.Add(new DefinitionError(["body", "id"], $"Workflow id '{Identifiers.Shown(id)}' is not valid: use {Identifiers.Rule}."));
        }

        if (errors.Count > 0)
        {
            return new LocalWorkflow(null, errors, []);
        }

        services.GetRequiredService<RunPlans>().Compile(definition, null, out var definitionErrors, out var warnings);
        if (definitionErrors.Count > 0)
        {
            return new LocalWorkflow(null, definitionErrors, warnings);
        }

        var workflows = services.GetRequiredService<IWorkflowStore>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var record = id is not null
            ? await workflows.UpsertAsync(orgId, id, new WorkflowUpdate(name, description, definition.GetRawText()), now, cancellationToken)
            : new WorkflowRecord(Guid.CreateVersion7().ToString(), orgId, name!, description, WorkflowStatus.Active, WorkflowStep.Draft, now, now, null, 1, definition.GetRawText());
        if (id is null && !await workflows.TryCreateAsync(record, cancellationToken))
        {
            throw new InvalidOperationException($"Workflow id {record.Id} was taken by another process.");
        }

        return new LocalWorkflow(record, [], warnings);
    }

    private static string? OptionalString(JsonElement body, string field, List<DefinitionError> errors)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new DefinitionError(["body", field], "Input should be a valid string", "string_type"));
            return null;
        }

        return value.GetString();
    }
}
