using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;

namespace Enrichflow.Core.Definitions;

/// <summary>
/// Checks a parsed definition against API.md §2.1 and reports every problem with its <c>loc</c>; when there is
/// none, returns the executable <see cref="WorkflowPlan"/>.
/// </summary>
public sealed class DefinitionValidator(BlockRegistry registry)
{
    private static readonly IReadOnlyList<object> Root = ["body", "workflow_definition"];

    public WorkflowPlan? Validate(WorkflowDefinition definition, List<DefinitionError> errors)
    {
        var before = errors.Count;
        if (definition.Blocks.Count == 0)
        {
            errors.Add(Error(["blocks"], "A workflow needs at least one block."));
            return null;
        }

        var compiled = CompileBlocks(definition, errors);
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Blocks.Count; i++)
        {
            byId.TryAdd(definition.Blocks[i].BlockId, i);
        }

        var edges = CheckEdges(definition, byId, errors);
        var sourceIndex = FindSource(definition, compiled, edges, errors);
        CheckFanIn(definition, compiled, edges, errors);
        var order = TopologicalOrder(definition, edges, errors);
        if (order is not null && sourceIndex is int source)
        {
            CheckReachable(definition, edges, source, errors);
        }

        if (errors.Count != before || order is null)
        {
            return null;
        }

        var plan = BuildPlan(definition, compiled, edges, order);
        CheckRowKinds(plan, errors);
        CheckColumns(plan, errors);
        return errors.Count == before ? plan : null;
    }

    private (BlockType Type, CompiledBlock? Block)?[] CompileBlocks(WorkflowDefinition definition, List<DefinitionError> errors)
    {
        var result = new (BlockType, CompiledBlock?)?[definition.Blocks.Count];
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var sequences = new HashSet<int>();
        for (var i = 0; i < definition.Blocks.Count; i++)
        {
            var block = definition.Blocks[i];
            if (!ids.Add(block.BlockId))
            {
                errors.Add(Error(["blocks", i, "block_id"], $"Block id '{block.BlockId}' is used by more than one block."));
            }

            if (!sequences.Add(block.SequenceNumber))
            {
                errors.Add(Error(["blocks", i, "sequence_number"], $"Sequence number {block.SequenceNumber} is used by more than one block."));
            }

            var type = registry.Resolve(block.BlockName, block.BlockType);
            if (type is null)
            {
                errors.Add(Error(["blocks", i, "block_name"],
                    $"Block '{block.BlockId}' names an unknown block (block_name '{block.BlockName}', block_type '{block.BlockType}'). Known blocks: {registry.KnownNames()}."));
                continue;
            }

            var context = new BlockCompileContext(block, [.. Root, "blocks", i, "specs"], errors);
            result[i] = (type, type.Compile(context));
        }

        return result;
    }

    private static List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> CheckEdges(
        WorkflowDefinition definition, Dictionary<string, int> byId, List<DefinitionError> errors)
    {
        var edges = new List<(int, EdgeDefinition, RowExpression?)>();
        for (var i = 0; i < definition.Edges.Count; i++)
        {
            var edge = definition.Edges[i];
            var ok = true;
            if (!byId.ContainsKey(edge.FromBlockId))
            {
                errors.Add(Error(["edges", i, "from_block_id"], $"Edge {i} starts at '{edge.FromBlockId}', which is not a block of this workflow."));
                ok = false;
            }

            if (!byId.ContainsKey(edge.ToBlockId))
            {
                errors.Add(Error(["edges", i, "to_block_id"], $"Edge {i} ends at '{edge.ToBlockId}', which is not a block of this workflow."));
                ok = false;
            }

            if (ok && edge.FromBlockId == edge.ToBlockId)
            {
                errors.Add(Error(["edges", i], $"Edge {i} loops from block '{edge.FromBlockId}' to itself."));
                ok = false;
            }

            RowExpression? condition = null;
            if (edge.Condition is not null)
            {
                try
                {
                    condition = RowExpression.Compile(edge.Condition);
                }
                catch (ExpressionException e)
                {
                    // The edge still shapes the graph, so that its other checks report nothing spurious.
                    errors.Add(Error(["edges", i, "condition"], $"Condition of edge {i} ({edge.FromBlockId} -> {edge.ToBlockId}): {e.Message}"));
                }
            }

            if (ok)
            {
                edges.Add((i, edge, condition));
            }
        }

        return edges;
    }

    private static int? FindSource(WorkflowDefinition definition, (BlockType Type, CompiledBlock? Block)?[] compiled,
        List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> edges, List<DefinitionError> errors)
    {
        var sources = Enumerable.Range(0, definition.Blocks.Count)
            .Where(i => compiled[i]?.Type.Role == BlockRole.Source)
            .ToList();
        if (sources.Count == 0)
        {
            if (compiled.All(c => c is not null))
            {
                errors.Add(Error(["blocks"], "The workflow has no source block; it needs exactly one of webhook, read_csv or read_notebook."));
            }

            return null;
        }

        if (sources.Count > 1)
        {
            var names = string.Join(", ", sources.Select(i => $"'{definition.Blocks[i].BlockId}'"));
            foreach (var i in sources.Skip(1))
            {
                errors.Add(Error(["blocks", i], $"The workflow has {sources.Count} source blocks ({names}); it needs exactly one."));
            }
        }

        foreach (var i in sources)
        {
            var id = definition.Blocks[i].BlockId;
            foreach (var (edgeIndex, _, _) in edges.Where(e => e.Edge.ToBlockId == id))
            {
                errors.Add(Error(["edges", edgeIndex, "to_block_id"], $"Source block '{id}' cannot have an incoming edge."));
            }
        }

        return sources[0];
    }

    private static void CheckFanIn(WorkflowDefinition definition, (BlockType Type, CompiledBlock? Block)?[] compiled,
        List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> edges, List<DefinitionError> errors)
    {
        for (var i = 0; i < definition.Blocks.Count; i++)
        {
            if (compiled[i] is not { } entry || entry.Type.Role == BlockRole.Source)
            {
                continue;
            }

            var id = definition.Blocks[i].BlockId;
            var inputs = edges.Count(e => e.Edge.ToBlockId == id);
            if (entry.Type.Role == BlockRole.Merge && inputs < 2)
            {
                errors.Add(Error(["blocks", i], $"Block '{id}' ({entry.Type.Name}) needs 2 or more inputs; it has {inputs}."));
            }
            else if (entry.Type.Role != BlockRole.Merge && inputs == 0)
            {
                errors.Add(Error(["blocks", i], $"Block '{id}' has no incoming edge; every block but the source needs exactly one input."));
            }
            else if (entry.Type.Role != BlockRole.Merge && inputs > 1)
            {
                errors.Add(Error(["blocks", i], $"Block '{id}' has {inputs} incoming edges; only a merge block may have more than one input."));
            }
        }
    }

    private static List<int>? TopologicalOrder(WorkflowDefinition definition,
        List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> edges, List<DefinitionError> errors)
    {
        var index = definition.Blocks.Select((b, i) => (b.BlockId, i)).GroupBy(x => x.BlockId).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        var inDegree = new int[definition.Blocks.Count];
        var next = Enumerable.Range(0, definition.Blocks.Count).Select(_ => new List<int>()).ToArray();
        foreach (var (_, edge, _) in edges)
        {
            next[index[edge.FromBlockId]].Add(index[edge.ToBlockId]);
            inDegree[index[edge.ToBlockId]]++;
        }

        // Kahn's algorithm; ties broken by sequence number so the order is stable and readable.
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < inDegree.Length; i++)
        {
            if (inDegree[i] == 0)
            {
                ready.Enqueue(i, definition.Blocks[i].SequenceNumber);
            }
        }

        var order = new List<int>();
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(i);
            foreach (var j in next[i])
            {
                if (--inDegree[j] == 0)
                {
                    ready.Enqueue(j, definition.Blocks[j].SequenceNumber);
                }
            }
        }

        if (order.Count == definition.Blocks.Count)
        {
            return order;
        }

        var cycle = FindCycle(next, inDegree);
        var names = string.Join(" -> ", cycle.Select(i => definition.Blocks[i].BlockId));
        errors.Add(Error(["edges"], $"The edges form a cycle: {names}."));
        return null;
    }

    private static List<int> FindCycle(List<int>[] next, int[] remainingInDegree)
    {
        // Every block left with an in-degree lies on or after a cycle; walk forward until a block repeats.
        var start = Array.FindIndex(remainingInDegree, d => d > 0);
        var seen = new Dictionary<int, int>();
        var path = new List<int>();
        var current = start;
        while (!seen.ContainsKey(current))
        {
            seen[current] = path.Count;
            path.Add(current);
            current = next[current].First(j => remainingInDegree[j] > 0);
        }

        var cycle = path.Skip(seen[current]).ToList();
        cycle.Add(current);
        return cycle;
    }

    private static void CheckReachable(WorkflowDefinition definition,
        List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> edges, int source, List<DefinitionError> errors)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { definition.Blocks[source].BlockId };
        var queue = new Queue<string>(reached);
        while (queue.TryDequeue(out var id))
        {
            foreach (var (_, edge, _) in edges.Where(e => e.Edge.FromBlockId == id))
            {
                if (reached.Add(edge.ToBlockId))
                {
                    queue.Enqueue(edge.ToBlockId);
                }
            }
        }

        for (var i = 0; i < definition.Blocks.Count; i++)
        {
            if (!reached.Contains(definition.Blocks[i].BlockId))
            {
                errors.Add(Error(["blocks", i], $"Block '{definition.Blocks[i].BlockId}' cannot be reached from the source block '{definition.Blocks[source].BlockId}'."));
            }
        }
    }

    private static WorkflowPlan BuildPlan(WorkflowDefinition definition, (BlockType Type, CompiledBlock? Block)?[] compiled,
        List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> edges, List<int> order)
    {
        var blocks = order.Select((i, position) => new PlannedBlock
        {
            Definition = definition.Blocks[i],
            Type = compiled[i]!.Value.Type,
            Compiled = compiled[i]!.Value.Block!,
            Position = position,
            DefinitionIndex = i,
        }).ToList();
        var byId = blocks.ToDictionary(b => b.Id, StringComparer.Ordinal);
        foreach (var (_, edge, condition) in edges)
        {
            byId[edge.ToBlockId].Inputs.Add(new PlannedEdge(edge.FromBlockId, edge.ToBlockId, condition, edge.Condition));
            byId[edge.FromBlockId].Outputs.Add(edge.ToBlockId);
        }

        return new WorkflowPlan(blocks);
    }

    private static void CheckRowKinds(WorkflowPlan plan, List<DefinitionError> errors)
    {
        var kinds = new Dictionary<string, DataframeType?>(StringComparer.Ordinal);
        foreach (var block in plan.Blocks)
        {
            DataframeType? incoming = block.IsSource
                ? (block.Compiled as SourceBlock)?.DeclaredType
                : block.Inputs.Select(e => kinds[e.FromBlockId]).FirstOrDefault(k => k is not null);
            var takes = block.Type.Takes;
            if (takes != DataframeType.Any && incoming is { } kind && kind != DataframeType.Any && kind != takes)
            {
                var converter = takes == DataframeType.Lead ? "company_to_leads" : "leads_to_company";
                var upstream = block.Inputs.FirstOrDefault()?.FromBlockId ?? block.Id;
                errors.Add(Error(["blocks", block.DefinitionIndex],
                    $"Block '{block.Id}' ({block.Type.Name}) takes {Wire(takes)} rows but receives {Wire(kind)} rows from '{upstream}'; put a {converter} block between them."));
            }

            kinds[block.Id] = block.Type.Yields ?? (takes != DataframeType.Any ? takes : incoming);
        }
    }

    private static void CheckColumns(WorkflowPlan plan, List<DefinitionError> errors)
    {
        if ((plan.Source.Compiled as SourceBlock)?.DeclaredColumns is not { } declared)
        {
            return;
        }

        // Columns known at each block's output; null once a block's output cannot be known before the run.
        var columns = new Dictionary<string, IReadOnlyList<string>?>(StringComparer.Ordinal);
        foreach (var block in plan.Blocks)
        {
            IReadOnlyList<string>? available = block.IsSource
                ? declared
                : block.Inputs.Any(e => columns[e.FromBlockId] is null) ? null : [.. block.Inputs.SelectMany(e => columns[e.FromBlockId]!).Distinct(StringComparer.Ordinal)];
            if (!block.IsSource && available is not null)
            {
                var needed = block.Compiled.ReadsColumns.Concat(block.Inputs.SelectMany(e => e.Condition?.Columns ?? []));
                foreach (var column in needed.Distinct(StringComparer.Ordinal).Where(c => !available.Contains(c, StringComparer.Ordinal)))
                {
                    errors.Add(Error(["blocks", block.DefinitionIndex, "specs"],
                        $"Block '{block.Id}' reads column '{column}', which does not exist at that point (available: {string.Join(", ", available.Order(StringComparer.Ordinal))})."));
                }
            }

            columns[block.Id] = block.IsSource ? declared : available is null ? null : block.Compiled.OutputColumns(available);
        }
    }

    private static string Wire(DataframeType type) => type.ToString().ToUpperInvariant();

    private static DefinitionError Error(IReadOnlyList<object> loc, string message) => new([.. Root, .. loc], message);
}
