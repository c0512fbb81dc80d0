using System.ComponentModel;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Sources;

/// <summary>One column of a source's <c>input_schema</c>.</summary>
public sealed class InputSchemaColumn
{
    /// <summary>The value type (str, int, float, bool, list, dict); informative.</summary>
    [Description("The value type (str, int, float, bool, list, dict); informative.")]
    public string? Type { get; init; }

    /// <summary>When true, a row without a value for the column is rejected.</summary>
    [Description("When true, a row without a value for the column is rejected.")]
    public bool Required { get; init; }

    [Description("What the column holds.")]
    public string? Description { get; init; }
}

/// <summary>What source blocks share: <c>dataframe_type</c> and the <c>input_schema</c> checks.</summary>
internal static class SourceSpecs
{
    /// <summary>Maps <c>dataframe_type</c> (LEAD or COMPANY, any case); reports any other value.</summary>
    public static DataframeType? ParseDataframeType(string? value, BlockCompileContext context)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Equals("LEAD", StringComparison.OrdinalIgnoreCase))
        {
            return DataframeType.Lead;
        }

        if (value.Equals("COMPANY", StringComparison.OrdinalIgnoreCase))
        {
            return DataframeType.Company;
        }

        context.AddError("dataframe_type", $"dataframe_type of block '{context.Definition.BlockId}' must be LEAD or COMPANY, not '{value}'.");
        return null;
    }

    /// <summary>Reports an <c>input_schema</c> column with an empty name, or whose description is not an object.</summary>
    public static void CheckSchema(IReadOnlyDictionary<string, InputSchemaColumn?>? schema, BlockCompileContext context)
    {
        foreach (var (column, described) in schema ?? new Dictionary<string, InputSchemaColumn?>())
        {
            if (string.IsNullOrWhiteSpace(column))
            {
                context.AddError("input_schema", $"input_schema of block '{context.Definition.BlockId}' has an empty column name.");
            }
            else if (described is null)
            {
                context.AddError("input_schema", $"input_schema of block '{context.Definition.BlockId}': column '{column}' must be described by an object such as {{\"type\": \"str\", \"required\": true}}, not null.");
            }
        }
    }

    /// <summary>The columns marked <c>required</c>, in schema order.</summary>
    public static string[] RequiredColumns(IReadOnlyDictionary<string, InputSchemaColumn?>? schema) =>
        schema is null ? [] : [.. schema.Where(c => c.Value?.Required == true).Select(c => c.Key)];

    /// <summary>The reject reason when <paramref name="row"/> lacks a required column (absent, null or blank); else null.</summary>
    public static string? MissingRequired(Row row, string[] required) =>
        MissingColumn(row, required) is { } column ? $"missing required column '{column}'" : null;

    /// <summary>The first required column <paramref name="row"/> lacks (absent, null or blank); else null.</summary>
    public static string? MissingColumn(Row row, string[] required)
    {
        foreach (var column in required)
        {
            if (!row.TryGetValue(column, out var value) || value is null || value is string s && string.IsNullOrWhiteSpace(s))
            {
                return column;
            }
        }

        return null;
    }
}
