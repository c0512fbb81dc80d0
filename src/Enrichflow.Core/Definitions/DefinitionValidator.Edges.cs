using Enrichflow.Core.Expressions;

namespace Enrichflow.Core.Definitions;

// The edges one by one: both ends name blocks of the workflow, no self-loop, the condition compiles.
public sealed partial class DefinitionValidator
{
    private List<(int Index, EdgeDefinition Edge, RowExpression? Condition)> CheckEdges(
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
                    condition = RowExpression.Compile(edge.Condition, _limits.MaxExpressionLength);
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
}
