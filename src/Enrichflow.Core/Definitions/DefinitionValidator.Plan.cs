using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;

namespace Enrichflow.Core.Definitions;

// The plan built from a valid graph, and the row kinds (lead or company) that flow along it.
public sealed partial class DefinitionValidator
{
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
        foreach (var (index, edge, condition) in edges)
        {
            byId[edge.ToBlockId].Inputs.Add(new PlannedEdge(edge.FromBlockId, edge.ToBlockId, condition, edge.Condition) { DefinitionIndex = index });
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

    private static string Wire(DataframeType type) => type.ToString().ToUpperInvariant();
}
