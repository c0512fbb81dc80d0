using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.RowOps;

/// <summary><c>transform</c> (<c>transform_data</c>): edits columns row by row with a list of operations (docs/api.md §5).</summary>
public sealed class TransformBlockType : BlockType<TransformSpecs>
{
    public override string Name => "transform";

    public override string SpecsExample => """
        {"operations": [{"op": "trim", "column": "email"}, {"op": "lower", "column": "email"}, {"op": "extract_domain", "column": "email", "into": "domain"}, {"op": "concat", "column": "full_name", "columns": ["first_name", "last_name"], "separator": " "}, {"op": "rename", "column": "org", "to": "company"}]}
        """;

    public override bool RunsOnSample => true;

    public override IReadOnlyList<string> Aliases => ["transform_data"];

    public override string SixtyfourName => "transform_data";

    public override string Description => $"Edits columns row by row: {TransformOps.ValidNames}.";

    protected override CompiledBlock? Compile(TransformSpecs specs, BlockCompileContext context)
    {
        if (specs.Operations is not { Count: > 0 })
        {
            context.AddError("operations", $"Transform block '{context.Definition.BlockId}' needs 'operations', a non-empty list.");
            return null;
        }

        var steps = new List<TransformStep>();
        var columns = new ColumnEffects();
        for (var i = 0; i < specs.Operations.Count; i++)
        {
            if (CompileStep(specs.Operations[i], i, context, columns) is { } step)
            {
                steps.Add(step);
            }
        }

        return new TransformBlock(steps, columns);
    }

    private static TransformStep? CompileStep(TransformOperation? operation, int i, BlockCompileContext context, ColumnEffects columns)
    {
        if (operation is null)
        {
            context.AddError(["operations", i], $"Operation {i} must be an object with 'op' and 'column'.");
            return null;
        }

        if (string.IsNullOrEmpty(operation.Op?.Trim()))
        {
            context.AddError(["operations", i, "op"], $"Operation {i} needs an 'op'; valid ops are {TransformOps.ValidNames}.");
            return null;
        }

        if (!TransformOps.TryParse(operation.Op, out var op))
        {
            context.AddError(["operations", i, "op"], $"Operation {i} has unknown op '{operation.Op}'; valid ops are {TransformOps.ValidNames}.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(operation.Column))
        {
            context.AddError(["operations", i, "column"], $"Operation {i} ({op.ToWire()}) needs a 'column'.");
            return null;
        }

        var column = operation.Column;
        switch (op)
        {
            case TransformOp.Set:
                columns.Write(column);
                return new SetStep(column, operation.Value is { } value ? ExpressionValues.Normalize(RowValues.FromElement(value)) : null);
            case TransformOp.Expression:
                return Expression(operation, i, context, columns);
            case TransformOp.Rename:
                if (Required(operation.To, i, "to", op, context) is not { } to)
                {
                    return null;
                }

                columns.Read(column);
                columns.Remove(column);
                columns.Write(to);
                return new RenameStep(column, to);
            case TransformOp.Drop:
                columns.Remove(column);
                return new DropStep(column);
            case TransformOp.Lower or TransformOp.Upper or TransformOp.Trim:
                columns.Read(column);
                return new TextStep(op, column, op switch
                {
                    TransformOp.Lower => static s => s.ToLowerInvariant(),
                    TransformOp.Upper => static s => s.ToUpperInvariant(),
                    _ => static s => s.Trim(),
                });
            case TransformOp.Concat:
                if (operation.Columns is not { Count: > 0 } sources || sources.Any(string.IsNullOrWhiteSpace))
                {
                    context.AddError(["operations", i, "columns"], $"Operation {i} (concat) needs 'columns', a non-empty list of column names.");
                    return null;
                }

                foreach (var source in sources)
                {
                    columns.Read(source);
                }

                columns.Write(column);
                return new ConcatStep(column, sources, operation.Separator ?? "");
            case TransformOp.Split:
                return Split(operation, i, context, columns);
            case TransformOp.ExtractDomain:
                return ExtractDomain(operation, i, context, columns);
            default:
                throw new InvalidOperationException($"Transform op {op} has no step.");
        }
    }

    private static ExpressionStep? Expression(TransformOperation operation, int i, BlockCompileContext context, ColumnEffects columns)
    {
        if (Required(operation.Expression, i, "expression", TransformOp.Expression, context) is not { } text)
        {
            return null;
        }

        try
        {
            var expression = RowExpression.Compile(text, context.Limits.MaxExpressionLength);
            foreach (var read in expression.Columns)
            {
                columns.Read(read);
            }

            columns.Write(operation.Column!);
            return new ExpressionStep(operation.Column!, expression);
        }
        catch (ExpressionException e)
        {
            context.AddError(["operations", i, "expression"], $"Expression of operation {i}: {e.Message}");
            return null;
        }
    }

    private static SplitStep? Split(TransformOperation operation, int i, BlockCompileContext context, ColumnEffects columns)
    {
        var into = operation.Into is { ValueKind: JsonValueKind.Array } list && list.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? list.EnumerateArray().Select(e => e.GetString()!).ToList()
            : null;
        if (into is not { Count: > 0 } || into.Any(string.IsNullOrWhiteSpace))
        {
            context.AddError(["operations", i, "into"], $"Operation {i} (split) needs 'into', a non-empty list of column names.");
            return null;
        }

        if (operation.Separator is "")
        {
            context.AddError(["operations", i, "separator"], $"Operation {i} (split) needs a non-empty 'separator'.");
            return null;
        }

        columns.Read(operation.Column!);
        foreach (var target in into)
        {
            columns.Write(target);
        }

        return new SplitStep(operation.Column!, operation.Separator ?? ",", into);
    }

    private static ExtractDomainStep? ExtractDomain(TransformOperation operation, int i, BlockCompileContext context, ColumnEffects columns)
    {
        var into = operation.Into switch
        {
            null or { ValueKind: JsonValueKind.Null } => operation.Column,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Array } a when a.GetArrayLength() == 1 && a[0].ValueKind == JsonValueKind.String => a[0].GetString(),
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(into))
        {
            context.AddError(["operations", i, "into"], $"Operation {i} (extract_domain) needs 'into' to be one column name.");
            return null;
        }

        columns.Read(operation.Column!);
        columns.Write(into);
        return new ExtractDomainStep(operation.Column!, into);
    }

    private static string? Required(string? value, int i, string field, TransformOp op, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            context.AddError(["operations", i, field], $"Operation {i} ({op.ToWire()}) needs '{field}'.");
            return null;
        }

        return value;
    }
}
