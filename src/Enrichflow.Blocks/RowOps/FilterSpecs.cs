using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Enrichflow.Blocks.RowOps;

/// <summary>Specs of <c>filter</c>: a list of <paramref name="Filters"/>, or one <paramref name="Expression"/> (docs/api.md §5.1).</summary>
public sealed record FilterSpecs(
    [property: Description("Conditions a row must meet, joined by each one's logic (and binds tighter than or). Give this or expression.")] IReadOnlyList<FilterCondition>? Filters = null,
    [property: Description("An expression over the row's [columns] (docs/api.md §5.1), e.g. [email_status] = 'valid' and [score] >= 50. Give this or filters.")] string? Expression = null);

/// <summary>
/// One condition of a <c>filter</c>. <paramref name="Logic"/> (<c>and</c>, the default, or <c>or</c>) joins it
/// with the condition before it; <c>and</c> binds tighter than <c>or</c>.
/// <paramref name="Value"/> is a list or a comma-separated text for <c>in</c>/<c>not_in</c>, a pattern for
/// <c>matches</c>, unused for <c>is_empty</c>/<c>is_not_empty</c>.
/// </summary>
public sealed record FilterCondition(
    [property: Description("The column compared; it must exist at this point.")] string? Column = null,
    [property: Description("How the column's value is compared with value (case is ignored).")]
    [property: AllowedValues("equals", "not_equals", "contains", "not_contains", "greater", "greater_or_equal", "less", "less_or_equal", "in", "not_in", "is_empty", "is_not_empty", "matches")]
    string? Operator = null,
    [property: Description("What the column is compared with: a list or a comma-separated text for in and not_in, a regular expression for matches, unused for is_empty and is_not_empty.")] JsonElement? Value = null,
    [property: Description("How this condition joins the one before it: and (the default) or or.")][property: AllowedValues("and", "or")] string? Logic = null);
