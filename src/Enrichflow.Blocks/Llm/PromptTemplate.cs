using System.Text;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Llm;

/// <summary>
/// A prompt with <c>{column}</c> references, filled in per row with the column's value as a CSV cell shows it (an
/// empty column is empty text). <c>{{</c> and <c>}}</c> are literal braces, so a prompt can show JSON; a brace that
/// opens no reference (<c>{"a": 1}</c>, a <c>{</c> at the end) is kept as written.
/// </summary>
internal sealed class PromptTemplate
{
    private readonly List<(string Text, string? Column)> _parts;

    private PromptTemplate(List<(string Text, string? Column)> parts)
    {
        _parts = parts;
        Columns = [.. parts.Where(p => p.Column is not null).Select(p => p.Column!).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The columns referenced, in order of first appearance.</summary>
    public IReadOnlyList<string> Columns { get; }

    public static PromptTemplate Parse(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var parts = new List<(string, string?)>();
        var text = new StringBuilder();
        for (var i = 0; i < prompt.Length; i++)
        {
            var c = prompt[i];
            if ((c == '{' || c == '}') && i + 1 < prompt.Length && prompt[i + 1] == c)
            {
                text.Append(c);
                i++;
                continue;
            }

            if (c == '{' && Reference(prompt, i) is { } end)
            {
                parts.Add((text.ToString(), null));
                text.Clear();
                parts.Add(("", prompt[(i + 1)..end].Trim()));
                i = end;
                continue;
            }

            text.Append(c);
        }

        parts.Add((text.ToString(), null));
        return new PromptTemplate([.. parts.Where(p => p.Item1.Length > 0 || p.Item2 is not null)]);
    }

    /// <summary>The prompt for a row.</summary>
    public string Render(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var text = new StringBuilder();
        foreach (var (literal, column) in _parts)
        {
            text.Append(column is null ? literal : row.GetText(column) ?? "");
        }

        return text.ToString();
    }

    /// <summary>The index of the <c>}</c> closing a column reference opened at <paramref name="start"/>, or null when it opens none.</summary>
    private static int? Reference(string prompt, int start)
    {
        for (var i = start + 1; i < prompt.Length; i++)
        {
            switch (prompt[i])
            {
                case '}':
                    return prompt[(start + 1)..i].Trim().Length > 0 ? i : null;
                case '{' or '"' or '\n' or '\r' or ':':
                    return null;
            }
        }

        return null;
    }
}
