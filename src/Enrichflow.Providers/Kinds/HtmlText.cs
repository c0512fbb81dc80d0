using System.Text;
using AngleSharp.Dom;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// A page's readable content, for <c>scrape_web</c> (docs/api.md §5.3): as plain text (one line per block, inner
/// whitespace collapsed) and as Markdown (headings, paragraphs, emphasis, links, images, lists, quotes, code, rules
/// and simple tables), by one walk over the AngleSharp DOM. Scripts, styles, templates, forms' inner machinery and
/// SVG are skipped; links and images are made absolute against the page's URL.
/// </summary>
public static class HtmlText
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas", "select", "button",
    };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "header", "footer", "nav", "main", "aside", "form", "figure", "figcaption",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "blockquote", "pre", "hr", "dl", "dt", "dd", "address",
    };

    /// <summary>The text of the page's body, one line per block element, blank lines dropped.</summary>
    public static string Text(IDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var text = new StringBuilder();
        if (document.Body is { } body)
        {
            AppendText(body, text);
        }

        return string.Join('\n', text.ToString().Split('\n')
            .Select(line => string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
            .Where(line => line.Length > 0));
    }

    /// <summary>The page's body as Markdown.</summary>
    public static string Markdown(IDocument document, Uri pageUrl)
    {
        ArgumentNullException.ThrowIfNull(document);
        var writer = new MarkdownWriter(pageUrl);
        if (document.Body is { } body)
        {
            writer.Children(body);
        }

        return writer.ToString();
    }

    /// <summary>The absolute http(s) targets of the page's links, each once, in page order.</summary>
    public static IReadOnlyList<string> Links(IDocument document, Uri pageUrl)
    {
        ArgumentNullException.ThrowIfNull(document);
        var links = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var anchor in document.QuerySelectorAll("a[href]"))
        {
            if (Absolute(pageUrl, anchor.GetAttribute("href")) is { } link && seen.Add(link))
            {
                links.Add(link);
            }
        }

        return links;
    }

    internal static string? Absolute(Uri pageUrl, string? href) =>
        !string.IsNullOrWhiteSpace(href) && Uri.TryCreate(pageUrl, href.Trim(), out var url) && url.Scheme is "http" or "https" ? url.AbsoluteUri : null;

    private static void AppendText(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(t.Data);
                    break;
                case IElement e when Skipped.Contains(e.LocalName):
                    break;
                case IElement e when e.LocalName == "br":
                    text.Append('\n');
                    break;
                case IElement e:
                    var block = Blocks.Contains(e.LocalName) || e.LocalName is "td" or "th";
                    if (block)
                    {
                        text.Append(e.LocalName is "td" or "th" ? " " : "\n");
                    }

                    AppendText(e, text);
                    if (block && e.LocalName is not ("td" or "th"))
                    {
                        text.Append('\n');
                    }

                    break;
            }
        }
    }

    /// <summary>Writes Markdown: blocks are separated by a blank line, inline text has its whitespace collapsed.</summary>
    private sealed class MarkdownWriter(Uri pageUrl)
    {
        private readonly StringBuilder _out = new();
        private readonly StringBuilder _line = new();
        private readonly List<string> _prefixes = [];
        private int _preformatted;

        public override string ToString()
        {
            EndBlock();
            return _out.ToString().TrimEnd() + (_out.Length > 0 ? "\n" : "");
        }

        public void Children(INode node)
        {
            foreach (var child in node.ChildNodes)
            {
                Node(child);
            }
        }

        private void Node(INode node)
        {
            switch (node)
            {
                case IText text:
                    Inline(text.Data);
                    break;
                case IElement element when !Skipped.Contains(element.LocalName):
                    Element(element);
                    break;
            }
        }

        private void Element(IElement e)
        {
            switch (e.LocalName)
            {
                case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                    EndBlock();
                    _line.Append('#', e.LocalName[1] - '0').Append(' ');
                    Children(e);
                    EndBlock();
                    break;
                case "p" or "div" or "section" or "article" or "header" or "footer" or "nav" or "main" or "aside" or "form"
                    or "figure" or "figcaption" or "address" or "dl" or "dt" or "dd":
                    EndBlock();
                    Children(e);
                    EndBlock();
                    break;
                case "br":
                    Raw("  \n");
                    break;
                case "hr":
                    EndBlock();
                    _line.Append("---");
                    EndBlock();
                    break;
                case "strong" or "b":
                    Wrapped(e, "**");
                    break;
                case "em" or "i":
                    Wrapped(e, "*");
                    break;
                case "code" when _preformatted == 0:
                    Wrapped(e, "`");
                    break;
                case "pre":
                    EndBlock();
                    _out.Append(Prefix()).Append("```\n");
                    _preformatted++;
                    Children(e);
                    _preformatted--;
                    FlushLine();
                    _out.Append(Prefix()).Append("```\n\n");
                    break;
                case "a":
                    Link(e);
                    break;
                case "img":
                    if (Absolute(pageUrl, e.GetAttribute("src")) is { } src)
                    {
                        Raw($"![{Escape(e.GetAttribute("alt") ?? "")}]({src})");
                    }

                    break;
                case "ul" or "ol":
                    EndBlock();
                    var number = 1;
                    foreach (var item in e.Children.Where(c => c.LocalName == "li"))
                    {
                        var marker = e.LocalName == "ol" ? $"{number++}. " : "- ";
                        _line.Append(marker);
                        _prefixes.Add(new string(' ', marker.Length));
                        Children(item);
                        _prefixes.RemoveAt(_prefixes.Count - 1);
                        FlushLine();
                    }

                    _out.Append('\n');
                    break;
                case "blockquote":
                    EndBlock();
                    _prefixes.Add("> ");
                    Children(e);
                    EndBlock();
                    _prefixes.RemoveAt(_prefixes.Count - 1);
                    break;
                case "table":
                    Table(e);
                    break;
                default:
                    Children(e);
                    break;
            }
        }

        private void Link(IElement e)
        {
            var start = _line.Length;
            Children(e);
            var label = _line.ToString(start, _line.Length - start).Trim();
            _line.Length = start;
            if (Absolute(pageUrl, e.GetAttribute("href")) is { } href)
            {
                Raw($"[{(label.Length > 0 ? label : href)}]({href})");
            }
            else
            {
                Inline(label);
            }
        }

        private void Table(IElement table)
        {
            EndBlock();
            var rows = table.QuerySelectorAll("tr").ToList();
            for (var r = 0; r < rows.Count; r++)
            {
                var cells = rows[r].Children.Where(c => c.LocalName is "td" or "th")
                    .Select(c => string.Join(' ', c.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace("|", "\\|", StringComparison.Ordinal))
                    .ToList();
                _out.Append(Prefix()).Append("| ").Append(string.Join(" | ", cells)).Append(" |\n");
                if (r == 0)
                {
                    _out.Append(Prefix()).Append('|').Append(string.Concat(cells.Select(_ => " --- |"))).Append('\n');
                }
            }

            _out.Append('\n');
        }

        private void Wrapped(IElement e, string mark)
        {
            var start = _line.Length;
            Children(e);
            var inner = _line.ToString(start, _line.Length - start);
            _line.Length = start;
            if (inner.Trim().Length > 0)
            {
                Raw($"{mark}{inner.Trim()}{mark}");
            }
        }

        private void Inline(string text)
        {
            if (_preformatted > 0)
            {
                var lines = text.Split('\n');
                for (var i = 0; i < lines.Length; i++)
                {
                    if (i > 0)
                    {
                        FlushLine();
                    }

                    _line.Append(lines[i]);
                }

                return;
            }

            var collapsed = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (collapsed.Length == 0)
            {
                if (text.Length > 0 && _line.Length > 0 && _line[^1] != ' ')
                {
                    _line.Append(' ');
                }

                return;
            }

            if (char.IsWhiteSpace(text[0]) && _line.Length > 0 && _line[^1] != ' ')
            {
                _line.Append(' ');
            }

            _line.Append(Escape(collapsed));
            if (char.IsWhiteSpace(text[^1]))
            {
                _line.Append(' ');
            }
        }

        private void Raw(string markdown)
        {
            if (markdown.EndsWith('\n'))
            {
                _line.Append(markdown.TrimEnd('\n'));
                FlushLine();
                return;
            }

            _line.Append(markdown);
        }

        /// <summary>Writes the pending line (if any) with the current prefixes.</summary>
        private void FlushLine()
        {
            var line = _preformatted > 0 ? _line.ToString() : _line.ToString().Trim();
            _line.Clear();
            if (line.Length > 0 || _preformatted > 0)
            {
                _out.Append(Prefix()).Append(line).Append('\n');
            }
        }

        /// <summary>Ends a block: the pending line, then one blank line.</summary>
        private void EndBlock()
        {
            if (_line.ToString().Trim().Length == 0)
            {
                _line.Clear();
                return;
            }

            FlushLine();
            _out.Append(_prefixes.Count > 0 ? Prefix().TrimEnd() + "\n" : "\n");
        }

        private string Prefix() => string.Concat(_prefixes);

        private static string Escape(string text) =>
            text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("*", "\\*", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal)
                .Replace("]", "\\]", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal);
    }
}
