using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Core.Rows;

namespace Enrichflow.Core.Expressions;

/// <summary>
/// How expressions (docs/api.md §5.1) and the <c>filter</c> block compare and test row values, so that both agree:
/// <list type="bullet">
/// <item>Two values compare as numbers when both are numbers or text that reads as a number (invariant culture),
/// so a CSV cell "7" is greater than 5 and "10" is greater than "9".</item>
/// <item>Otherwise they compare as text, ignoring case (ordinal), so <c>'us' = 'US'</c>; booleans read as
/// "true"/"false".</item>
/// <item>Null equals only null; an ordering comparison (&lt;, &gt;, ...) with null, or between a number and text
/// that is not a number, is false.</item>
/// <item>Truthiness: true, non-zero numbers, non-empty text and non-empty lists are true; null, false, 0 and ""
/// are false.</item>
/// </list>
/// </summary>
public static class ExpressionValues
{
    /// <summary>Text comparisons ignore case (ordinal).</summary>
    public static StringComparison TextComparison => StringComparison.OrdinalIgnoreCase;

    /// <summary>A JSON scalar becomes the plain value it holds; anything else is returned as is.</summary>
    public static object? Normalize(object? value) => value is JsonValue json ? FromJsonValue(json) : value;

    /// <summary>The value as text (as a CSV cell shows it); null for null.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        JsonValue json => RowValues.ToText(FromJsonValue(json)),
        _ => RowValues.ToText(value),
    };

    public static bool IsTruthy(object? value) => Normalize(value) switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        int i => i != 0,
        double d => d != 0 && !double.IsNaN(d),
        decimal m => m != 0,
        string s => s.Length > 0,
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        _ => true,
    };

    /// <summary>Reads a number: a numeric value, or text that parses as one (invariant culture, finite).</summary>
    public static bool TryGetNumber(object? value, out double number)
    {
        if (TryGetNumeric(value, out var numeric))
        {
            number = numeric.AsDouble;
            return true;
        }

        number = 0;
        return false;
    }

    /// <summary>Equality: numeric when both sides read as numbers, else text ignoring case; null equals only null.</summary>
    public static bool AreEqual(object? left, object? right)
    {
        left = Normalize(left);
        right = Normalize(right);
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (TryGetNumeric(left, out var a) && TryGetNumeric(right, out var b))
        {
            return Numeric.Compare(a, b) == 0;
        }

        return string.Equals(Text(left), Text(right), TextComparison);
    }

    /// <summary>
    /// Orders two values: numerically when both read as numbers, as text ignoring case when neither does.
    /// False (no order) when either is null, or when only one of them is a number.
    /// </summary>
    public static bool TryCompare(object? left, object? right, out int comparison)
    {
        left = Normalize(left);
        right = Normalize(right);
        if (left is null || right is null)
        {
            comparison = 0;
            return false;
        }

        var leftIsNumber = TryGetNumeric(left, out var a);
        var rightIsNumber = TryGetNumeric(right, out var b);
        if (leftIsNumber && rightIsNumber)
        {
            comparison = Numeric.Compare(a, b);
            return !double.IsNaN(a.AsDouble) && !double.IsNaN(b.AsDouble);
        }

        if (leftIsNumber || rightIsNumber)
        {
            // A number and text that is not one ("n/a" > 5) have no order.
            comparison = 0;
            return false;
        }

        comparison = string.Compare(Text(left), Text(right), TextComparison);
        return true;
    }

    /// <summary>
    /// Text containment ignoring case; for a list, whether one of its items equals <paramref name="part"/>.
    /// False when either side is null.
    /// </summary>
    public static bool Contains(object? value, object? part)
    {
        value = Normalize(value);
        part = Normalize(part);
        if (value is null || part is null)
        {
            return false;
        }

        if (value is JsonArray array)
        {
            foreach (var item in array)
            {
                if (AreEqual(item, part))
                {
                    return true;
                }
            }

            return false;
        }

        return Text(value)!.Contains(Text(part)!, TextComparison);
    }

    /// <summary>Whether <paramref name="value"/> equals one of <paramref name="candidates"/> (see <see cref="AreEqual"/>).</summary>
    public static bool IsOneOf(object? value, IEnumerable<object?> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        foreach (var candidate in candidates)
        {
            if (AreEqual(value, candidate))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool TryGetNumeric(object? value, out Numeric numeric)
    {
        switch (value)
        {
            case long l:
                numeric = new Numeric(l);
                return true;
            case double d:
                numeric = new Numeric(d);
                return true;
            case int i:
                numeric = new Numeric(i);
                return true;
            case decimal m:
                numeric = new Numeric((double)m);
                return true;
            case string s:
                return TryParse(s, out numeric);
            case JsonValue json:
                return TryGetNumeric(FromJsonValue(json), out numeric);
            default:
                numeric = default;
                return false;
        }
    }

    internal static bool TryParse(string text, out Numeric numeric)
    {
        if (text.Length > 0 && text.Length < 64 && MayBeNumber(text))
        {
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
            {
                numeric = new Numeric(l);
                return true;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            {
                numeric = new Numeric(d);
                return true;
            }
        }

        numeric = default;
        return false;
    }

    /// <summary>A cheap first look, so that text like "US" skips the parsers.</summary>
    private static bool MayBeNumber(string text)
    {
        var first = text[0];
        if (char.IsWhiteSpace(first))
        {
            var trimmed = text.AsSpan().TrimStart();
            if (trimmed.IsEmpty)
            {
                return false;
            }

            first = trimmed[0];
        }

        return char.IsAsciiDigit(first) || first is '-' or '+' or '.';
    }

    private static object? FromJsonValue(JsonValue json) => json.GetValueKind() switch
    {
        JsonValueKind.String => json.GetValue<string>(),
        JsonValueKind.Number => TryParse(json.ToJsonString(), out var number) ? number.Box() : null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => json,
    };
}

/// <summary>A number that stays an exact integer while it can.</summary>
internal readonly record struct Numeric
{
    public Numeric(long value)
    {
        IsInteger = true;
        Integer = value;
    }

    public Numeric(double value)
    {
        IsInteger = false;
        Float = value;
    }

    public bool IsInteger { get; }

    public long Integer { get; }

    public double Float { get; }

    public double AsDouble => IsInteger ? Integer : Float;

    public object Box() => IsInteger ? (object)Integer : Float;

    public static int Compare(Numeric a, Numeric b) =>
        a.IsInteger && b.IsInteger ? a.Integer.CompareTo(b.Integer) : a.AsDouble.CompareTo(b.AsDouble);
}
