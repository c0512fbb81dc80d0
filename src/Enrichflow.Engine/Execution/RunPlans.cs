using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.Options;

namespace Enrichflow.Engine.Execution;

/// <summary>
/// Compiles a run's stored definition (with its <c>specs_override</c>) into a plan, once per run and process, and
/// again when the run's stored definition or options changed (an interactive session grows, docs/architecture.md §3.1).
/// Only queued and running runs' plans are kept: a run that has ended (or paused) is compiled for each caller, so
/// reading finished runs does not grow the cache, and the coordinator's sweep drops what a run that ended meanwhile left.
/// </summary>
public sealed class RunPlans(BlockRegistry registry, IOptions<InputLimits> limits)
{
    private readonly ConcurrentDictionary<Guid, (string DefinitionJson, string OptionsJson, WorkflowPlan Plan, RunOptions Options)> _plans = new();
    private readonly DefinitionValidator _validator = new(registry, limits.Value);

    /// <summary>How many runs' plans are kept (those of queued and running runs).</summary>
    public int Count => _plans.Count;

    public (WorkflowPlan Plan, RunOptions Options) Get(RunRecord run)
    {
        if (run.Status is not (RunStatus.Queued or RunStatus.Running))
        {
            Forget(run.Id);
            return Compile(run);
        }

        if (_plans.TryGetValue(run.Id, out var cached)
            && string.Equals(cached.DefinitionJson, run.DefinitionJson, StringComparison.Ordinal)
            && string.Equals(cached.OptionsJson, run.OptionsJson, StringComparison.Ordinal))
        {
            return (cached.Plan, cached.Options);
        }

        var (plan, options) = Compile(run);
        _plans[run.Id] = (run.DefinitionJson, run.OptionsJson, plan, options);
        return (plan, options);
    }

    public void Forget(Guid runId) => _plans.TryRemove(runId, out _);

    /// <summary>
    /// Drops every plan but those of <paramref name="active"/> (the runs the sweep found queued or running): a caller
    /// that read a run just before it ended may have put its plan back after the end removed it.
    /// </summary>
    public void Retain(IReadOnlyCollection<Guid> active)
    {
        var keep = active as ISet<Guid> ?? active.ToHashSet();
        foreach (var runId in _plans.Keys)
        {
            if (!keep.Contains(runId))
            {
                Forget(runId);
            }
        }
    }

    /// <summary>Compiles a definition for a run; throws when it does not validate (it did when the run was queued).</summary>
    public (WorkflowPlan Plan, RunOptions Options) Compile(RunRecord run)
    {
        var options = RunOptions.FromJson(run.OptionsJson);
        using var document = JsonDocument.Parse(run.DefinitionJson);
        var plan = Compile(document.RootElement, options.SpecsOverride, out var errors);
        if (plan is null)
        {
            throw new InvalidOperationException($"The definition of run {run.Id} no longer validates: {string.Join("; ", errors.Select(e => e.Msg))}");
        }

        return (options.Interactive is null ? plan : new WorkflowPlan(plan.Blocks) { Extensible = true }, options);
    }

    /// <summary>Parses, overrides and validates a definition; null with <paramref name="errors"/> when it is not valid.</summary>
    public WorkflowPlan? Compile(JsonElement definitionJson, JsonElement? specsOverride, out List<DefinitionError> errors) =>
        Compile(definitionJson, specsOverride, out errors, out _);

    /// <summary>The same, with what is likely not meant (unknown spec keys, ...) in <paramref name="warnings"/> (docs/api.md §2.1).</summary>
    public WorkflowPlan? Compile(JsonElement definitionJson, JsonElement? specsOverride, out List<DefinitionError> errors, out List<DefinitionWarning> warnings)
    {
        errors = [];
        warnings = [];
        var size = definitionJson.ValueKind == JsonValueKind.Undefined ? 0 : JsonMarshal.GetRawUtf8Value(definitionJson).Length;
        if (size > limits.Value.MaxDefinitionBytes)
        {
            errors.Add(new DefinitionError(["body", "workflow_definition"],
                $"The workflow definition is {size} bytes of JSON; at most {InputLimits.Size(limits.Value.MaxDefinitionBytes)} are allowed (Limits:MaxDefinitionBytes)."));
            return null;
        }

        var definition = DefinitionParser.Parse(definitionJson, ["body", "workflow_definition"], errors);
        if (definition is null)
        {
            return null;
        }

        if (specsOverride is { ValueKind: JsonValueKind.Object } overrides)
        {
            definition = ApplyOverride(definition, overrides);
        }

        return _validator.Validate(definition, errors, warnings);
    }

    /// <summary>The block that <c>specs_override</c> applies to: the source when there is one, else the lowest sequence number.</summary>
    public BlockDefinition? FirstBlock(WorkflowDefinition definition) =>
        definition.Blocks.FirstOrDefault(b => registry.Resolve(b.BlockName, b.BlockType)?.Role == BlockRole.Source)
        ?? definition.Blocks.MinBy(b => b.SequenceNumber);

    private WorkflowDefinition ApplyOverride(WorkflowDefinition definition, JsonElement overrides)
    {
        var first = FirstBlock(definition);
        if (first is null)
        {
            return definition;
        }

        var specs = JsonNode.Parse(first.Specs.GetRawText())!.AsObject();
        foreach (var property in overrides.EnumerateObject())
        {
            specs[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        var merged = JsonSerializer.SerializeToElement(specs);
        var blocks = definition.Blocks.Select(b => ReferenceEquals(b, first) ? b with { Specs = merged } : b).ToList();
        return definition with { Blocks = blocks };
    }
}
