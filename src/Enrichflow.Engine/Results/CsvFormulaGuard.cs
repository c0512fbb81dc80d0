namespace Enrichflow.Engine.Results;

/// <summary>
/// Keeps spreadsheets from running CSV cells as formulas (docs/api.md §3.1): a cell starting with <c>=</c>, <c>@</c>,
/// tab or CR, or with <c>+</c>/<c>-</c> when it is not a plain number or phone number, gets a leading <c>'</c>.
/// </summary>
public static class CsvFormulaGuard
{
    public static string Apply(string cell)
    {
        if (cell.Length == 0)
        {
            return cell;
        }

        return cell[0] switch
        {
            '=' or '@' or '\t' or '\r' => "'" + cell,
            '+' or '-' when !IsPlainNumber(cell) => "'" + cell,
            _ => cell,
        };
    }

    /// <summary>Digits, spaces and <c>().-</c> after the sign, with at least one digit (e.g. -12.5, +1 (555) 010-0000).</summary>
    private static bool IsPlainNumber(string cell)
    {
        var digits = 0;
        foreach (var c in cell.AsSpan(1))
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (c is not (' ' or '(' or ')' or '.' or '-'))
            {
                return false;
            }
        }

        return digits > 0;
    }
}
