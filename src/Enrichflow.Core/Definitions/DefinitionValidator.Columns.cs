using System.Text.Json;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Core.Definitions;

// The columns each block and edge condition names, against the columns known at that point (docs/api.md §2.1): a miss is
// an error before the run when the columns are known, and a check of every chunk during the run when they are not.
public sealed partial class DefinitionValidator
{
    private static void CheckColumns(WorkflowPlan plan, BlockCompileContext?[] contexts, List<DefinitionError> errors, List<DefinitionWarning> warnings)
    {
        // A declared input_schema, else the columns of a sample payload; a block's defaults (columns its specs do not
        // write) are checked against a declaration only, as a sample need not show every column the rows will have.
        var source = plan.Source.Compiled as SourceBlock;
        var declared = source?.DeclaredColumns ?? source?.SampleColumns;
        var defaultsChecked = source?.DeclaredColumns is not null;

        // Per block's output: the columns known (null once they cannot be known before the run); the columns rows may
        // carry without every chunk having them (declared by the source or added upstream, e.g. an enrichment's return
        // fields, absent from rows the provider found nothing for); and whether a merge is upstream (its chunks come
        // from one input at a time, so a chunk without a column says nothing about the others).
        var known = new Dictionary<string, IReadOnlyList<string>?>(StringComparer.Ordinal);
        var optional = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var merged = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var block in plan.Blocks)
        {
            if (block.IsSource)
            {
                known[block.Id] = declared;
                optional[block.Id] = new HashSet<string>(declared ?? [], StringComparer.Ordinal);
                merged[block.Id] = false;
                continue;
            }

            // One input (a chain) shares its parent's lists and sets, which are never changed once made.
            var inputs = block.Inputs.Select(e => e.FromBlockId).ToList();
            IReadOnlyList<string>? available = inputs.Any(i => known[i] is null) ? null
                : inputs.Count == 1 ? known[inputs[0]]
                : [.. inputs.SelectMany(i => known[i]!).Distinct(StringComparer.Ordinal)];
            var mayLack = inputs.Count == 1 ? optional[inputs[0]] : new HashSet<string>(inputs.SelectMany(i => optional[i]), StringComparer.Ordinal);
            var afterMerge = inputs.Any(i => merged[i]);

            foreach (var edge in block.Inputs.Where(e => e.Condition is not null))
            {
                edge.ColumnChecks = CheckCondition(edge, known[edge.FromBlockId], optional[edge.FromBlockId], merged[edge.FromBlockId], errors);
            }

            block.ColumnChecks = CheckReferences(block, inputs, known, available, mayLack, afterMerge, defaultsChecked, errors);
            if (available is not null && contexts[block.DefinitionIndex] is { } context)
            {
                warnings.AddRange(context.ColumnWarnings.Where(w => available.Contains(w.Column, StringComparer.Ordinal)).Select(w => new DefinitionWarning(w.Loc, w.Message)));
            }

            var output = available is null ? null : block.Compiled.OutputColumns(available);
            known[block.Id] = output;
            optional[block.Id] = block.Compiled.AddsColumns.Count == 0 ? mayLack : [.. mayLack, .. block.Compiled.AddsColumns];
            merged[block.Id] = afterMerge || block.Type.Role == BlockRole.Merge;
        }
    }

    private static List<string> CheckCondition(PlannedEdge edge, IReadOnlyList<string>? available, HashSet<string> mayLack, bool afterMerge, List<DefinitionError> errors)
    {
        var atRunTime = new List<string>();
        foreach (var column in edge.Condition!.Columns)
        {
            if (available is not null && !available.Contains(column, StringComparer.Ordinal))
            {
                errors.Add(Error(["edges", edge.DefinitionIndex, "condition"],
                    $"The condition of edge {edge.DefinitionIndex} ({edge.FromBlockId} -> {edge.ToBlockId}) reads column '{column}', which does not exist at that point{Known(column, available)}"));
            }
            else if (available is null && !afterMerge && !mayLack.Contains(column))
            {
                atRunTime.Add(column);
            }
        }

        return atRunTime;
    }

    private static List<ColumnReference> CheckReferences(PlannedBlock block, List<string> inputs, Dictionary<string, IReadOnlyList<string>?> known,
        IReadOnlyList<string>? available, HashSet<string> mayLack, bool afterMerge, bool defaultsChecked, List<DefinitionError> errors)
    {
        var atRunTime = new List<ColumnReference>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in block.Compiled.ColumnReferences)
        {
            var path = reference.PathInSpecs ?? Locate(block.Definition.Specs, reference.Column);
            var columns = reference.Input is int input && input < inputs.Count ? known[inputs[input]] : available;
            if (columns is not null)
            {
                if ((path is not null || defaultsChecked) && !columns.Contains(reference.Column, StringComparer.Ordinal) && reported.Add(reference.Column))
                {
                    var verb = reference.CheckedAtRunTime ? "reads" : "drops";
                    var where = reference.Input is int n ? $" in its input {n + 1} ('{inputs[Math.Min(n, inputs.Count - 1)]}')" : " at that point";
                    errors.Add(Error(["blocks", block.DefinitionIndex, "specs", .. path ?? []],
                        $"Block '{block.Id}' {verb} column '{reference.Column}', which does not exist{where}{Known(reference.Column, columns)}"));
                }
            }
            else if (path is not null && reference.CheckedAtRunTime && !afterMerge && !mayLack.Contains(reference.Column))
            {
                // Only what the specs write is checked during the run: a block's default column may well be absent.
                atRunTime.Add(reference with { PathInSpecs = path });
            }
        }

        return atRunTime;
    }

    /// <summary>"; did you mean 'x'? Known columns: a, b." for a column that is not among <paramref name="available"/>.</summary>
    private static string Known(string column, IReadOnlyList<string> available)
    {
        var list = available.Count == 0 ? "none" : string.Join(", ", available.Order(StringComparer.Ordinal));
        return Suggestions.Nearest(column, available) is { } nearest
            ? $"; did you mean '{nearest}'? Known columns: {list}."
            : $". Known columns: {list}.";
    }

    /// <summary>
    /// Where the specs write <paramref name="column"/>: the first text equal to it, else the first that names it as
    /// <c>[column]</c> (an expression) or <c>{column}</c> (a template); null when they do not (a default of the block).
    /// </summary>
    internal static IReadOnlyList<object>? Locate(JsonElement specs, string column) =>
        Find(specs, [], t => t == column) ?? Find(specs, [], t => t.Contains($"[{column}]", StringComparison.Ordinal) || t.Contains($"{{{column}}}", StringComparison.Ordinal));

    private static List<object>? Find(JsonElement value, List<object> path, Func<string, bool> match)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return match(value.GetString()!) ? path : null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (Find(item, [.. path, i++], match) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (Find(property.Value, [.. path, property.Name], match) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
