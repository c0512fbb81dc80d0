using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Expressions;

/// <summary>
/// The functions of the expression language (docs/api.md §5.1). This table is the whole of what an expression can
/// call: there is no way to reach .NET methods, I/O or reflection. Given null, text functions return null and
/// tests return false.
/// </summary>
internal static class ExpressionFunctions
{
    private static readonly Dictionary<string, (int Min, int Max, string Example)> Signatures = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lower"] = (1, 1, "lower([name])"),
        ["upper"] = (1, 1, "upper([name])"),
        ["trim"] = (1, 1, "trim([name])"),
        ["len"] = (1, 1, "len([name])"),
        ["contains"] = (2, 2, "contains([title], 'sales')"),
        ["starts_with"] = (2, 2, "starts_with([phone], '+1')"),
        ["ends_with"] = (2, 2, "ends_with([email], '.edu')"),
        ["matches"] = (2, 2, "matches([zip], '^[0-9]{5}$')"),
        ["is_empty"] = (1, 1, "is_empty([email])"),
        ["coalesce"] = (1, int.MaxValue, "coalesce([work_email], [email])"),
        ["domain"] = (1, 1, "domain([email])"),
        ["concat"] = (1, int.MaxValue, "concat([first], ' ', [last])"),
    };

    public static string KnownList { get; } = string.Join(", ", Signatures.Keys);

    public static bool IsKnown(string name) => Signatures.ContainsKey(name);

    /// <summary>Builds the node for a call; throws <see cref="ExpressionException"/> for a wrong argument count or a bad pattern.</summary>
    public static ExpressionNode Create(string name, ExpressionNode[] args, int position)
    {
        if (!Signatures.TryGetValue(name, out var signature))
        {
            throw ExpressionException.At(position, $"a known function ({KnownList}); '{name}' is not one");
        }

        if (args.Length < signature.Min || args.Length > signature.Max)
        {
            var count = signature.Min == signature.Max ? $"{signature.Min}" : $"at least {signature.Min}";
            throw ExpressionException.At(position, $"{count} argument(s) for {name.ToLowerInvariant()}(), as in {signature.Example}; it has {args.Length}");
        }

        return name.ToLowerInvariant() switch
        {
            "lower" => new TextFunctionNode(args[0], static s => s.ToLowerInvariant()),
            "upper" => new TextFunctionNode(args[0], static s => s.ToUpperInvariant()),
            "trim" => new TextFunctionNode(args[0], static s => s.Trim()),
            "domain" => new TextFunctionNode(args[0], DomainText.FromEmailOrUrl),
            "len" => new LengthNode(args[0]),
            "contains" => new TestNode(args[0], args[1], ExpressionValues.Contains),
            "starts_with" => new TestNode(args[0], args[1], static (a, b) => Text(a, b, static (x, y) => x.StartsWith(y, ExpressionValues.TextComparison))),
            "ends_with" => new TestNode(args[0], args[1], static (a, b) => Text(a, b, static (x, y) => x.EndsWith(y, ExpressionValues.TextComparison))),
            "matches" => Matches(args[0], args[1], position),
            "is_empty" => new IsEmptyNode(args[0]),
            "coalesce" => new CoalesceNode(args),
            _ => new ConcatNode(args),
        };
    }

    private static bool Text(object? a, object? b, Func<string, string, bool> test)
    {
        var x = ExpressionValues.Text(a);
        var y = ExpressionValues.Text(b);
        return x is not null && y is not null && test(x, y);
    }

    private static ExpressionNode Matches(ExpressionNode text, ExpressionNode pattern, int position)
    {
        if (pattern is ConstantNode { Value: string literal })
        {
            if (SafeRegex.Validate(literal) is { } problem)
            {
                throw ExpressionException.At(position, $"a valid regular expression in matches(): {problem}");
            }

            return new MatchesNode(text, SafeRegex.Create(literal), null);
        }

        return new MatchesNode(text, null, pattern);
    }

    private sealed class TextFunctionNode(ExpressionNode arg, Func<string, string?> apply) : ExpressionNode
    {
        public override object? Evaluate(Row row) => ExpressionValues.Text(arg.Evaluate(row)) is { } text ? apply(text) : null;
    }

    private sealed class LengthNode(ExpressionNode arg) : ExpressionNode
    {
        public override object? Evaluate(Row row) => ExpressionValues.Normalize(arg.Evaluate(row)) switch
        {
            null => 0L,
            JsonArray a => (long)a.Count,
            JsonObject o => (long)o.Count,
            var v => (long)(ExpressionValues.Text(v)?.Length ?? 0),
        };
    }

    private sealed class TestNode(ExpressionNode a, ExpressionNode b, Func<object?, object?, bool> test) : ExpressionNode
    {
        public override object? Evaluate(Row row) => Box(IsTrue(row));

        public override bool IsTrue(Row row) => test(a.Evaluate(row), b.Evaluate(row));
    }

    private sealed class IsEmptyNode(ExpressionNode arg) : ExpressionNode
    {
        public override object? Evaluate(Row row) => Box(IsTrue(row));

        public override bool IsTrue(Row row) => RowValues.IsEmpty(ExpressionValues.Normalize(arg.Evaluate(row)));
    }

    private sealed class MatchesNode(ExpressionNode text, Regex? regex, ExpressionNode? pattern) : ExpressionNode
    {
        public override object? Evaluate(Row row) => Box(IsTrue(row));

        public override bool IsTrue(Row row)
        {
            if (ExpressionValues.Text(text.Evaluate(row)) is not { } value)
            {
                return false;
            }

            if (regex is not null)
            {
                return SafeRegex.IsMatch(regex, value);
            }

            return ExpressionValues.Text(pattern!.Evaluate(row)) is { } p && SafeRegex.IsMatch(p, value);
        }
    }

    /// <summary>concat(a, b, ...): the values as text, null as "".</summary>
    private sealed class ConcatNode(ExpressionNode[] args) : ExpressionNode
    {
        public override object? Evaluate(Row row)
        {
            var builder = new StringBuilder();
            foreach (var arg in args)
            {
                builder.Append(ExpressionValues.Text(arg.Evaluate(row)));
            }

            return builder.ToString();
        }
    }
}
