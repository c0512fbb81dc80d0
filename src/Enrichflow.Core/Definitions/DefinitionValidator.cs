using Enrichflow.Core.Blocks;

namespace Enrichflow.Core.Definitions;

// The validator's entry point: the order of the checks, and how an error's loc is built.
/// <summary>
/// Checks a parsed definition against docs/api.md §2.1 and reports every problem with its <c>loc</c>; when there is
/// none, returns the executable <see cref="WorkflowPlan"/>.
/// </summary>
public sealed partial class DefinitionValidator(BlockRegistry registry, InputLimits? limits = null)
{
    private static readonly IReadOnlyList<object> Root = ["body", "workflow_definition"];

    private readonly InputLimits _limits = limits ?? InputLimits.Default;

    public WorkflowPlan? Validate(WorkflowDefinition definition, List<DefinitionError> errors) => Validate(definition, errors, null);

    /// <summary>Validates, adding what is likely not meant (unknown spec keys, ...) to <paramref name="warnings"/>.</summary>
    public WorkflowPlan? Validate(WorkflowDefinition definition, List<DefinitionError> errors, List<DefinitionWarning>? warnings)
    {
        warnings ??= [];
        var before = errors.Count;
        if (definition.Blocks.Count == 0)
        {
            errors.Add(Error(["blocks"], "A workflow needs at least one block."));
            return null;
        }

        if (!CheckSize(definition, errors))
        {
            return null;
        }

        var (compiled, contexts) = CompileBlocks(definition, errors, warnings);
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Blocks.Count; i++)
        {
            byId.TryAdd(definition.Blocks[i].BlockId, i);
        }

        // Every check below is linear in blocks + edges: edges are indexed by their ends once.
        var edges = CheckEdges(definition, byId, errors);
        var links = EdgeIndex.Of(edges);
        var sourceIndex = FindSource(definition, compiled, links, errors);
        CheckFanIn(definition, compiled, links, errors);
        var order = TopologicalOrder(definition, edges, byId, errors);
        if (order is not null && sourceIndex is int source)
        {
            CheckReachable(definition, links, source, errors);
        }

        if (errors.Count != before || order is null)
        {
            return null;
        }

        var plan = BuildPlan(definition, compiled, edges, order);
        CheckRowKinds(plan, errors);
        CheckColumns(plan, contexts, errors, warnings);
        return errors.Count == before ? plan : null;
    }

    /// <summary>The caps of docs/api.md §2.1 (<c>Limits:MaxBlocks</c>, <c>Limits:MaxEdges</c>); false when the definition is over one.</summary>
    private bool CheckSize(WorkflowDefinition definition, List<DefinitionError> errors)
    {
        var before = errors.Count;
        if (definition.Blocks.Count > _limits.MaxBlocks)
        {
            errors.Add(Error(["blocks"], $"The workflow has {definition.Blocks.Count} blocks; at most {_limits.MaxBlocks} are allowed (Limits:MaxBlocks)."));
        }

        if (definition.Edges.Count > _limits.MaxEdges)
        {
            errors.Add(Error(["edges"], $"The workflow has {definition.Edges.Count} edges; at most {_limits.MaxEdges} are allowed (Limits:MaxEdges)."));
        }

        return errors.Count == before;
    }

    private static DefinitionError Error(IReadOnlyList<object> loc, string message) => new([.. Root, .. loc], message);
}
