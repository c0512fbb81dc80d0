using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;

namespace Enrichflow.Core.Definitions;

// The shape of the graph: exactly one source, each block's fan-in, no cycle (a stable topological order), every block reachable.
public sealed partial class DefinitionValidator
{
    /// <summary>The edges by the block they end at and the block they start from (positions in the checked edge list).</summary>
    private sealed class EdgeIndex
    {
        private static readonly List<int> None = [];

        private readonly Dictionary<string, List<int>> _into = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<int>> _outOf = new(StringComparer.Ordinal);

        public required List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> Edges { get; init; }

        public static EdgeIndex Of(List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> edges)
        {
            var index = new EdgeIndex { Edges = edges };
            for (var i = 0; i < edges.Count; i++)
            {
                Add(index._into, edges[i].Edge.ToBlockId, i);
                Add(index._outOf, edges[i].Edge.FromBlockId, i);
            }

            return index;
        }

        public List<int> Into(string blockId) => _into.GetValueOrDefault(blockId) ?? None;

        public List<int> OutOf(string blockId) => _outOf.GetValueOrDefault(blockId) ?? None;

        private static void Add(Dictionary<string, List<int>> map, string key, int position)
        {
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            list.Add(position);
        }
    }

    private static int? FindSource(WorkflowDefinition definition, (BlockType Type, CompiledBlock? Block)?[] compiled,
        EdgeIndex links, List<DefinitionError> errors)
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
            // At most ten named: the sentence stays short however many sources there are.
            var names = string.Join(", ", sources.Take(10).Select(i => $"'{definition.Blocks[i].BlockId}'"))
                + (sources.Count > 10 ? $" and {sources.Count - 10} more" : "");
            foreach (var i in sources.Skip(1))
            {
                errors.Add(Error(["blocks", i], $"The workflow has {sources.Count} source blocks ({names}); it needs exactly one."));
            }
        }

        foreach (var i in sources)
        {
            var id = definition.Blocks[i].BlockId;
            foreach (var position in links.Into(id))
            {
                errors.Add(Error(["edges", links.Edges[position].Index, "to_block_id"], $"Source block '{id}' cannot have an incoming edge."));
            }
        }

        return sources[0];
    }

    private static void CheckFanIn(WorkflowDefinition definition, (BlockType Type, CompiledBlock? Block)?[] compiled,
        EdgeIndex links, List<DefinitionError> errors)
    {
        for (var i = 0; i < definition.Blocks.Count; i++)
        {
            if (compiled[i] is not { } entry || entry.Type.Role == BlockRole.Source)
            {
                continue;
            }

            var id = definition.Blocks[i].BlockId;
            var inputs = links.Into(id).Count;
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
        List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> edges, Dictionary<string, int> index, List<DefinitionError> errors)
    {
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
        // A block left with an in-degree has a predecessor that is left too (else it would have been ordered), so a
        // walk backwards from one never stops and must repeat a block: the repeat closes a cycle. (Walking forwards
        // can end at a block after a cycle that leads nowhere.)
        var previous = new List<int>[next.Length];
        for (var i = 0; i < next.Length; i++)
        {
            previous[i] = [];
        }

        for (var i = 0; i < next.Length; i++)
        {
            if (remainingInDegree[i] > 0)
            {
                foreach (var j in next[i])
                {
                    previous[j].Add(i);
                }
            }
        }

        var seen = new Dictionary<int, int>();
        var path = new List<int>();
        var current = Array.FindIndex(remainingInDegree, d => d > 0);
        while (!seen.ContainsKey(current))
        {
            seen[current] = path.Count;
            path.Add(current);
            current = previous[current][0];
        }

        // The walk went against the edges; name the cycle along them, from its first block.
        var cycle = path.Skip(seen[current]).Reverse().ToList();
        var first = cycle.IndexOf(cycle.Min());
        cycle = [.. cycle.Skip(first), .. cycle.Take(first)];
        cycle.Add(cycle[0]);
        return cycle;
    }

    private static void CheckReachable(WorkflowDefinition definition, EdgeIndex links, int source, List<DefinitionError> errors)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { definition.Blocks[source].BlockId };
        var queue = new Queue<string>(reached);
        while (queue.TryDequeue(out var id))
        {
            foreach (var position in links.OutOf(id))
            {
                var to = links.Edges[position].Edge.ToBlockId;
                if (reached.Add(to))
                {
                    queue.Enqueue(to);
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
}
