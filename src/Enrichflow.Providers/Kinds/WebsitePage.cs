using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// What a company's own web pages say about it: its name (<c>og:site_name</c>, else the cleaned <c>&lt;title&gt;</c>),
/// description (meta description, else <c>og:description</c>), social profile links, email addresses (mailto links
/// and addresses in the text) and phone numbers (tel links). Several pages merge: the first value found wins, lists
/// are unioned. The first page's readable text, Markdown and links are there too (<see cref="HtmlText"/>).
/// </summary>
public sealed partial class WebsitePage
{
    /// <summary>The social networks recognized, by field name, with the hosts that belong to each.</summary>
    public static readonly IReadOnlyList<(string Field, string[] Hosts)> Networks =
    [
        ("linkedin", ["linkedin.com"]),
        ("twitter", ["twitter.com", "x.com"]),
        ("facebook", ["facebook.com", "fb.com"]),
        ("instagram", ["instagram.com"]),
        ("youtube", ["youtube.com", "youtu.be"]),
        ("github", ["github.com"]),
        ("tiktok", ["tiktok.com"]),
    ];

    private static readonly string[] GenericTitleWords = ["home", "homepage", "home page", "welcome", "index"];
    private static readonly string[] TitleSeparators = [" | ", " - ", " — ", " – ", " · ", " :: ", ": "];
    private static readonly string[] ShareMarkers = ["/intent/", "/share", "sharer", "/dialog/", "/hashtag/"];
    private static readonly string[] ImageEndings = [".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"];

    private readonly Dictionary<string, string> _social = new(StringComparer.Ordinal);
    private readonly List<string> _emails = [];
    private readonly List<string> _phones = [];

    /// <summary>The first page read, for its text, Markdown and links (<c>scrape_web</c>).</summary>
    private (IDocument Document, Uri Url)? _first;

    public string? Url { get; private set; }

    public string? Title { get; private set; }

    public string? Name { get; private set; }

    public string? Description { get; private set; }

    public IReadOnlyDictionary<string, string> Social => _social;

    public IReadOnlyList<string> Emails => _emails;

    public IReadOnlyList<string> Phones => _phones;

    /// <summary>Reads one page into this one (values already found are kept).</summary>
    public void Add(string html, Uri pageUrl)
    {
        ArgumentNullException.ThrowIfNull(pageUrl);
        var document = new HtmlParser().ParseDocument(html);
        Url ??= pageUrl.AbsoluteUri;
        _first ??= (document, pageUrl);
        var title = Clean(document.Title);
        Title ??= title;
        Name ??= Clean(Meta(document, "og:site_name")) ?? NameFromTitle(title);
        Description ??= Clean(Meta(document, "description")) ?? Clean(Meta(document, "og:description"));

        foreach (var anchor in document.QuerySelectorAll("a[href]"))
        {
            var href = anchor.GetAttribute("href")?.Trim() ?? "";
            if (href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var address in Uri.UnescapeDataString(href[7..].Split('?')[0]).Split([',', ';']))
                {
                    AddEmail(address);
                }
            }
            else if (href.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
            {
                AddPhone(Uri.UnescapeDataString(href[4..]));
            }
            else if (Uri.TryCreate(pageUrl, href, out var link) && link.Scheme is "http" or "https")
            {
                AddSocial(link);
            }
        }

        try
        {
            foreach (Match match in EmailInText().Matches(document.Body?.TextContent ?? ""))
            {
                AddEmail(match.Value);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological page: keep the addresses of its links.
        }
    }

    /// <summary>The value a field name asks for, or null for a name the page does not know.</summary>
    public JsonNode? Value(string field) => field switch
    {
        "company_name" or "name" => Name,
        "title" => Title,
        "description" => Description,
        "website" or "url" => Url,
        "x" => _social.GetValueOrDefault("twitter"),
        "social_links" or "socials" => _social.Count == 0 ? null : new JsonObject([.. _social.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
        "emails" => _emails.Count == 0 ? null : new JsonArray([.. _emails.Select(e => (JsonNode?)e)]),
        "email" => _emails.FirstOrDefault(),
        "phones" => _phones.Count == 0 ? null : new JsonArray([.. _phones.Select(p => (JsonNode?)p)]),
        "phone" => _phones.FirstOrDefault(),
        "text" => _first is { } text ? HtmlText.Text(text.Document) : null,
        "markdown" => _first is { } page ? HtmlText.Markdown(page.Document, page.Url) : null,
        "links" => _first is { } linked && HtmlText.Links(linked.Document, linked.Url) is { Count: > 0 } links ? new JsonArray([.. links.Select(l => (JsonNode?)l)]) : null,
        _ => _social.GetValueOrDefault(field),
    };

    private static string? Meta(IDocument document, string name) =>
        (document.QuerySelector($"meta[property='{name}']") ?? document.QuerySelector($"meta[name='{name}']"))?.GetAttribute("content");

    /// <summary>"Home | Acme Corp" → "Acme Corp"; "Acme Corp — Widgets for everyone" → "Acme Corp".</summary>
    internal static string? NameFromTitle(string? title)
    {
        if (title is null)
        {
            return null;
        }

        var parts = title.Split(TitleSeparators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.FirstOrDefault(p => !GenericTitleWords.Contains(p, StringComparer.OrdinalIgnoreCase)) ?? parts.FirstOrDefault();
    }

    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private void AddSocial(Uri link)
    {
        var host = link.Host.ToLowerInvariant();
        foreach (var prefix in (string[])["www.", "m.", "mobile."])
        {
            if (host.StartsWith(prefix, StringComparison.Ordinal))
            {
                host = host[prefix.Length..];
            }
        }

        var path = link.AbsolutePath.ToLowerInvariant();
        if (path.Length <= 1 || ShareMarkers.Any(m => path.Contains(m, StringComparison.Ordinal)))
        {
            return;
        }

        foreach (var (field, hosts) in Networks)
        {
            if (!hosts.Any(h => host == h || host.EndsWith("." + h, StringComparison.Ordinal)))
            {
                continue;
            }

            var url = link.GetLeftPart(UriPartial.Path);
            // A company page beats a person's profile on LinkedIn.
            if (!_social.TryGetValue(field, out var existing) || field == "linkedin" && !existing.Contains("/company/", StringComparison.Ordinal) && path.StartsWith("/company/", StringComparison.Ordinal))
            {
                _social[field] = url;
            }

            return;
        }
    }

    private void AddEmail(string text)
    {
        var address = text.Trim().Trim('.', ',', ';', ':', '<', '>', '(', ')').ToLowerInvariant();
        if (address.Length < 6 || !address.Contains('@', StringComparison.Ordinal) || ImageEndings.Any(e => address.EndsWith(e, StringComparison.Ordinal))
            || !EmailInText().IsMatch(address) || _emails.Contains(address, StringComparer.Ordinal))
        {
            return;
        }

        _emails.Add(address);
    }

    private void AddPhone(string text)
    {
        var phone = Clean(text);
        var digits = phone is null ? "" : new string([.. phone.Where(char.IsAsciiDigit)]);
        if (digits.Length < 5 || _phones.Any(p => new string([.. p.Where(char.IsAsciiDigit)]) == digits))
        {
            return;
        }

        _phones.Add(phone!);
    }

    [GeneratedRegex(@"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EmailInText();
}
