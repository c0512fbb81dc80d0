using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Enrichflow.Blocks.RowOps;

/// <summary>Specs of <c>transform</c>: <paramref name="Operations"/> applied in order to each row.</summary>
public sealed record TransformSpecs(
    [property: Description("The operations, applied in order to each row; a later one sees what an earlier one wrote.")] IReadOnlyList<TransformOperation> Operations);

/// <summary>
/// One transform operation. <paramref name="Op"/> is set, expression, rename, drop, lower, upper, trim, concat,
/// split or extract_domain; <paramref name="Column"/> is the column written (created if absent), except for
/// split and extract_domain, which read it and write <paramref name="Into"/> (a list for split; a column name
/// for extract_domain, which writes back to <paramref name="Column"/> when absent).
/// </summary>
public sealed record TransformOperation(
    [property: Description("What the operation does.")]
    [property: AllowedValues("set", "expression", "rename", "drop", "lower", "upper", "trim", "concat", "split", "extract_domain")]
    string? Op = null,
    [property: Description("The column written (created if absent); the column read for rename, drop, lower, upper, trim, split and extract_domain.")] string? Column = null,
    [property: Description("set: the value written.")] JsonElement? Value = null,
    [property: Description("expression: the expression whose value is written (docs/api.md §5.1).")] string? Expression = null,
    [property: Description("rename: the new name of the column.")] string? To = null,
    [property: Description("concat: the columns joined, in order.")] IReadOnlyList<string>? Columns = null,
    [property: Description("concat: the text between the values (none by default); split: the text split at (a comma by default).")] string? Separator = null,
    [property: Description("split: the columns the parts are written to, in order; extract_domain: the column the domain is written to (column itself by default).")] JsonElement? Into = null);
