using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;

namespace Enrichflow.Core.Definitions;

// The plan built from a valid graph, and what flows along it: row kinds (lead or company) and the columns each block reads.
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
}
