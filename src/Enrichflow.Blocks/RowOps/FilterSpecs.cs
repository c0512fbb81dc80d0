using System.Text.Json;

namespace Enrichflow.Blocks.RowOps;

/// <summary>Specs of <c>filter</c>: a list of <paramref name="Filters"/>, or one <paramref name="Expression"/> (docs/api.md §5.1).</summary>
public sealed record FilterSpecs(IReadOnlyList<FilterCondition>? Filters = null, string? Expression = null);

/// <summary>
/// One condition of a <c>filter</c>. <paramref name="Logic"/> (<c>and</c>, the default, or <c>or</c>) joins it
/// with the condition before it; <c>and</c> binds tighter than <c>or</c>.
/// <paramref name="Value"/> is a list or a comma-separated text for <c>in</c>/<c>not_in</c>, a pattern for
/// <c>matches</c>, unused for <c>is_empty</c>/<c>is_not_empty</c>.
/// </summary>
public sealed record FilterCondition(string? Column = null, string? Operator = null, JsonElement? Value = null, string? Logic = null);
