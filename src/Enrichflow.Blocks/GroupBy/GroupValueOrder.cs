using System.Globalization;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.GroupBy;

/// <summary>
/// How <c>min</c> and <c>max</c> order values: numbers (and text that reads as one) by value, before any other
/// text, which is ordered ordinally.
/// </summary>
internal static class GroupValueOrder
{
    public static int Compare(object a, object b)
    {
        var x = Number(a);
        var y = Number(b);
        if (x is { } left && y is { } right)
        {
            return left.CompareTo(right);
        }

        if (x is not null || y is not null)
        {
            return x is not null ? -1 : 1;
        }

        return string.CompareOrdinal(RowValues.ToText(a), RowValues.ToText(b));
    }

    private static double? Number(object value) => value switch
    {
        long l => l,
        double d => d,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };
}
