using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Expressions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.RowOps;

/// <summary>
/// <c>filter</c>: keeps the rows that match, rejects the others with the condition that failed (docs/api.md §5).
/// Conditions joined by <c>logic</c> follow the usual precedence: <c>and</c> binds tighter than <c>or</c>, so
/// <c>a and b or c and d</c> keeps a row when (a and b) or (c and d) holds, as in the expression language.
/// </summary>
public sealed class FilterBlockType : BlockType<FilterSpecs>
{
    public override string Name => "filter";

    public override string SpecsExample => """
        {"filters": [{"column": "email_status", "operator": "equals", "value": "valid"}, {"column": "country", "operator": "in", "value": ["US", "CA"], "logic": "and"}]}
        """;

    public override bool RunsOnSample => true;

    public override string Description =>
        "Keeps the rows that match a list of conditions or an expression; the others go to rejects with the reason.";

    protected override CompiledBlock? Compile(FilterSpecs specs, BlockCompileContext context)
    {
        var hasFilters = specs.Filters is { Count: > 0 };
        var hasExpression = !string.IsNullOrWhiteSpace(specs.Expression);
        if (hasFilters == hasExpression)
        {
            context.AddError([], hasFilters
                ? $"Filter block '{context.Definition.BlockId}' has both 'filters' and 'expression'; give one of them."
                : $"Filter block '{context.Definition.BlockId}' needs 'filters' (a non-empty list) or 'expression'.");
            return null;
        }

        if (hasExpression)
        {
            try
            {
                return new FilterBlock(RowExpression.Compile(specs.Expression!, context.Limits.MaxExpressionLength));
            }
            catch (ExpressionException e)
            {
                context.AddError("expression", $"Expression of filter block '{context.Definition.BlockId}': {e.Message}");
                return null;
            }
        }

        var groups = new List<List<FilterPredicate>> { new() };
        for (var i = 0; i < specs.Filters!.Count; i++)
        {
            var condition = specs.Filters[i];
            if (condition is null)
            {
                context.AddError(["filters", i], $"Filter {i} must be an object with column, operator and value.");
                continue;
            }

            if (ParseLogic(condition, i, context) is "or" && groups[^1].Count > 0)
            {
                groups.Add([]);
            }

            if (CompileCondition(condition, i, context) is { } predicate)
            {
                groups[^1].Add(predicate);
            }
        }

        return new FilterBlock(groups);
    }

    private static string ParseLogic(FilterCondition condition, int index, BlockCompileContext context)
    {
        var logic = condition.Logic?.Trim().ToLowerInvariant();
        if (logic is null or "" or "and" or "or")
        {
            return index == 0 ? "and" : logic is "or" ? "or" : "and";
        }

        context.AddError(["filters", index, "logic"], $"Filter {index} has logic '{condition.Logic}'; use 'and' or 'or'.");
        return "and";
    }

    private static FilterPredicate? CompileCondition(FilterCondition condition, int index, BlockCompileContext context)
    {
        var ok = true;
        if (string.IsNullOrWhiteSpace(condition.Column))
        {
            context.AddError(["filters", index, "column"], $"Filter {index} needs a 'column'.");
            ok = false;
        }

        if (!FilterOperators.TryParse(condition.Operator, out var op))
        {
            context.AddError(["filters", index, "operator"], condition.Operator is null
                ? $"Filter {index} needs an 'operator'; valid operators are {FilterOperators.ValidNames}."
                : $"Filter {index} has unknown operator '{condition.Operator}'; valid operators are {FilterOperators.ValidNames}.");
            return null;
        }

        var element = condition.Value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } v ? v : (JsonElement?)null;
        if (FilterOperators.NeedsValue(op) && element is null)
        {
            context.AddError(["filters", index, "value"], $"Filter {index} ({condition.Operator}) needs a 'value'.");
            return null;
        }

        var value = element is { } e ? ExpressionValues.Normalize(RowValues.FromElement(e)) : null;
        var values = op is FilterOperator.In or FilterOperator.NotIn ? ListOf(element!.Value) : [];
        System.Text.RegularExpressions.Regex? regex = null;
        if (op == FilterOperator.Matches)
        {
            regex = CompilePattern(element!.Value, index, context);
            ok &= regex is not null;
        }

        if (!ok)
        {
            return null;
        }

        var shown = element is { } raw ? " " + raw.GetRawText() : "";
        return new FilterPredicate(condition.Column!, op, value, values, regex, $"[{condition.Column}] {condition.Operator!.ToLowerInvariant()}{shown}");
    }

    /// <summary>An <c>in</c> list: a JSON list, or a comma-separated text (items trimmed), or one value.</summary>
    private static List<object?> ListOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => [.. value.EnumerateArray().Select(e => ExpressionValues.Normalize(RowValues.FromElement(e)))],
        JsonValueKind.String => [.. value.GetString()!.Split(',', StringSplitOptions.TrimEntries).Cast<object?>()],
        _ => [RowValues.FromElement(value)],
    };

    private static System.Text.RegularExpressions.Regex? CompilePattern(JsonElement value, int index, BlockCompileContext context)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            context.AddError(["filters", index, "value"], $"Filter {index} (matches) needs a regular expression as text.");
            return null;
        }

        var pattern = value.GetString()!;
        if (SafeRegex.Validate(pattern) is { } problem)
        {
            context.AddError(["filters", index, "value"], $"Filter {index} (matches) has an invalid regular expression: {problem}");
            return null;
        }

        return SafeRegex.Create(pattern);
    }
}
