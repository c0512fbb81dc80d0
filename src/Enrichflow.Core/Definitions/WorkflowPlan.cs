using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;

namespace Enrichflow.Core.Definitions;

/// <summary>A validated workflow: its blocks compiled and in topological order, the source first.</summary>
public sealed class WorkflowPlan
{
    private readonly Dictionary<string, PlannedBlock> _byId = new(StringComparer.Ordinal);

    public WorkflowPlan(IReadOnlyList<PlannedBlock> blocks)
    {
        Blocks = blocks;
        foreach (var block in blocks)
        {
            _byId.TryAdd(block.Id, block);
        }
    }

    /// <summary>Blocks in execution order; <see cref="PlannedBlock.Position"/> is the index here.</summary>
    public IReadOnlyList<PlannedBlock> Blocks { get; }

    public PlannedBlock Source => Blocks[0];

    public PlannedBlock this[string blockId] => _byId.TryGetValue(blockId, out var block) ? block : throw new InvalidOperationException($"The plan has no block '{blockId}'.");

    public PlannedBlock? Find(string blockId) => _byId.GetValueOrDefault(blockId);

    /// <summary>
    /// True for the plan of a run that grows while it runs (an interactive session, docs/architecture.md §3.1):
    /// no block fuses with its parent and every block stores its chunks, so a block added later reads any block's output.
    /// </summary>
    public bool Extensible { get; init; }
}

/// <summary>One block of a plan, with its compiled specs and its place in the graph.</summary>
public sealed class PlannedBlock
{
    public required BlockDefinition Definition { get; init; }

    public required BlockType Type { get; init; }

    public required CompiledBlock Compiled { get; init; }

    public required int Position { get; init; }

    /// <summary>The block's index in the definition's <c>blocks</c> list (for error locations).</summary>
    public required int DefinitionIndex { get; init; }

    public string Id => Definition.BlockId;

    /// <summary>Upstream blocks, in edge order.</summary>
    public List<PlannedEdge> Inputs { get; } = [];

    /// <summary>Downstream block ids, in edge order.</summary>
    public List<string> Outputs { get; } = [];

    public bool IsSource => Type.Role == BlockRole.Source;

    /// <summary>
    /// The column references the engine checks against each chunk before the block runs (docs/api.md §2.1): those the
    /// specs write that the validator could not check before the run (no declared columns) and that no upstream block adds.
    /// </summary>
    public IReadOnlyList<ColumnReference> ColumnChecks { get; internal set; } = [];
}

/// <summary>An edge into a block, with its compiled condition when it has one.</summary>
public sealed record PlannedEdge(string FromBlockId, string ToBlockId, RowExpression? Condition, string? ConditionText)
{
    public string Label => $"{FromBlockId}->{ToBlockId}";

    /// <summary>The edge's index in the definition's <c>edges</c> list (for error locations).</summary>
    public int DefinitionIndex { get; init; }

    /// <summary>The columns of <see cref="Condition"/> the engine checks against each chunk (see <see cref="PlannedBlock.ColumnChecks"/>).</summary>
    public IReadOnlyList<string> ColumnChecks { get; internal set; } = [];
}
