using AngleSharp.Html.Parser;
using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers.Tests.Kinds;

/// <summary>The text, Markdown and links <c>scrape_web</c> takes from a page (<see cref="HtmlText"/>).</summary>
public sealed class HtmlTextTests
{
    private static readonly Uri Page = new("https://acme.example/docs/");

    private const string Html = """
        <html><head><title>Docs</title><style>p { color: red }</style><script>var x = "<p>no</p>";</script></head>
        <body>
          <h1>Acme   widgets</h1>
          <p>We make <strong>dependable</strong> widgets, <em>fast</em>.<br>Since 1999.</p>
          <ul><li>One <a href="/one">first</a></li><li>Two</li></ul>
          <ol><li>Alpha</li><li>Beta</li></ol>
          <blockquote><p>Best widgets ever.</p></blockquote>
          <pre><code>let x = 1;
        let y = 2;</code></pre>
          <p>Use <code>widget()</code> and snake_case.</p>
          <table><tr><th>Plan</th><th>Price</th></tr><tr><td>Basic</td><td>$5</td></tr></table>
          <img src="logo.png" alt="Logo"><hr>
          <a href="mailto:hi@acme.example">mail</a> <a href="https://acme.example/one">again</a> <a href="contact">Contact</a>
          <noscript>Enable JavaScript</noscript>
        </body></html>
        """;

    [Fact]
    public void Markdown_keeps_headings_emphasis_lists_quotes_code_tables_images_and_absolute_links()
    {
        var markdown = HtmlText.Markdown(new HtmlParser().ParseDocument(Html), Page);
        Assert.Equal("""
            # Acme widgets

            We make **dependable** widgets, *fast*.
            Since 1999.

            - One [first](https://acme.example/one)
            - Two

            1. Alpha
            2. Beta

            > Best widgets ever.
            >
            ```
            let x = 1;
            let y = 2;
            ```

            Use `widget()` and snake\_case.

            | Plan | Price |
            | --- | --- |
            | Basic | $5 |

            ![Logo](https://acme.example/docs/logo.png)

            ---

            mail [again](https://acme.example/one) [Contact](https://acme.example/docs/contact)

            """.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("  \n", "\n", StringComparison.Ordinal), markdown.Replace("  \n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_is_one_line_per_block_without_scripts_or_styles()
    {
        var text = HtmlText.Text(new HtmlParser().ParseDocument(Html)).Split('\n');
        Assert.Equal("Acme widgets", text[0]);
        Assert.Equal("We make dependable widgets, fast.", text[1]);
        Assert.Equal("Since 1999.", text[2]);
        Assert.DoesNotContain(text, l => l.Contains("color", StringComparison.Ordinal) || l.Contains("var x", StringComparison.Ordinal) || l.Contains("JavaScript", StringComparison.Ordinal));
        Assert.Contains("Plan Price", text);
    }

    [Fact]
    public void Links_are_absolute_http_targets_each_once_in_page_order() =>
        Assert.Equal(["https://acme.example/one", "https://acme.example/docs/contact"], HtmlText.Links(new HtmlParser().ParseDocument(Html), Page));
}
