using System.Text.Json;

namespace Enrichflow.Blocks.RowOps;

/// <summary>Specs of <c>transform</c>: <paramref name="Operations"/> applied in order to each row.</summary>
public sealed record TransformSpecs(IReadOnlyList<TransformOperation> Operations);

/// <summary>
/// One transform operation. <paramref name="Op"/> is set, expression, rename, drop, lower, upper, trim, concat,
/// split or extract_domain; <paramref name="Column"/> is the column written (created if absent), except for
/// split and extract_domain, which read it and write <paramref name="Into"/> (a list for split; a column name
/// for extract_domain, which writes back to <paramref name="Column"/> when absent).
/// </summary>
public sealed record TransformOperation(
    string? Op = null,
    string? Column = null,
    JsonElement? Value = null,
    string? Expression = null,
    string? To = null,
    IReadOnlyList<string>? Columns = null,
    string? Separator = null,
    JsonElement? Into = null);
