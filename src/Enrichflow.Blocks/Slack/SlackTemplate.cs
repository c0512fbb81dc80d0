using System.Text;

namespace Enrichflow.Blocks.Slack;

/// <summary>
/// A <c>send_slack_message</c> message: text with <c>{column}</c> references and <c>{run.field}</c> run fields;
/// <c>{{</c> and <c>}}</c> are literal braces. A reference to a column the row lacks is empty.
/// </summary>
internal sealed class SlackTemplate
{
    /// <summary>The run fields a summary may use.</summary>
    public static readonly IReadOnlyList<string> SummaryRunFields =
        ["id", "status", "workflow_id", "workflow_name", "rows_in", "rows_out", "rows_failed", "rows_rejected", "block_rows", "error", "duration_seconds"];

    /// <summary>The run fields known while the run is under way (a message per row).</summary>
    public static readonly IReadOnlyList<string> RowRunFields = ["id", "workflow_id"];

    private const string RunPrefix = "run.";

    private readonly List<(string Text, bool IsReference)> _parts;

    private SlackTemplate(List<(string, bool)> parts) => _parts = parts;

    public IEnumerable<string> Columns => _parts.Where(p => p.IsReference && !p.Text.StartsWith(RunPrefix, StringComparison.Ordinal)).Select(p => p.Text).Distinct(StringComparer.Ordinal);

    public IEnumerable<string> RunFields => _parts.Where(p => p.IsReference && p.Text.StartsWith(RunPrefix, StringComparison.Ordinal)).Select(p => p.Text[RunPrefix.Length..]).Distinct(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="text"/>; null with <paramref name="error"/> naming the position when a brace is not closed or a reference is empty.</summary>
    public static SlackTemplate? Parse(string text, out string? error)
    {
        error = null;
        var parts = new List<(string, bool)>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '{' && i + 1 < text.Length && text[i + 1] == '{' || c == '}' && i + 1 < text.Length && text[i + 1] == '}')
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (c == '}')
            {
                error = $"a '}}' at position {i} closes no '{{' (write '}}}}' for a literal brace)";
                return null;
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            var end = text.IndexOf('}', i + 1);
            var name = end < 0 ? "" : text[(i + 1)..end].Trim();
            if (end < 0 || name.Length == 0 || name.Contains('{', StringComparison.Ordinal))
            {
                error = end < 0
                    ? $"the '{{' at position {i} is not closed (write '{{{{' for a literal brace)"
                    : $"the reference at position {i} is empty or holds a '{{'";
                return null;
            }

            if (literal.Length > 0)
            {
                parts.Add((literal.ToString(), false));
                literal.Clear();
            }

            parts.Add((name, true));
            i = end;
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), false));
        }

        return new SlackTemplate(parts);
    }

    public string Render(Func<string, string?> column, Func<string, string?> run)
    {
        var text = new StringBuilder();
        foreach (var (part, isReference) in _parts)
        {
            text.Append(!isReference ? part : part.StartsWith(RunPrefix, StringComparison.Ordinal) ? run(part[RunPrefix.Length..]) : column(part));
        }

        return text.ToString();
    }
}
