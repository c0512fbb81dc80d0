using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Enrichflow.Fakes;

/// <summary>
/// Company websites under <c>/sites/{domain}/</c>: a home page with title, meta description, og tags, social links
/// (and a share link that is not a profile), a mailto link, an address in the text and a tel link; <c>about</c>
/// and <c>contact</c> pages add more. A key that is not found answers 404.
/// </summary>
public sealed partial class FakeProviderServer
{
    private void MapSites(IEndpointRouteBuilder app)
    {
        app.MapGet("/sites/{domain}/", http => SiteAsync(http, ""));
        app.MapGet("/sites/{domain}/{page}", http => SiteAsync(http, http.Request.RouteValues["page"]?.ToString() ?? ""));
    }

    private Task SiteAsync(HttpContext http, string page)
    {
        var key = FakeData.Key(http.Request.RouteValues["domain"]?.ToString());
        return PaidAsync(http, key, null, _ => true, _ =>
        {
            if (!FakeData.IsFound(Seed, key, HitPercent) || page is not ("" or "about" or "contact"))
            {
                return WriteTextAsync(http, 404, "text/html; charset=utf-8", "<html><head><title>Not found</title></head><body>No such page.</body></html>");
            }

            return WriteTextAsync(http, 200, "text/html; charset=utf-8", Page(key, page));
        });
    }

    private string Page(string domain, string page)
    {
        var name = WebUtility.HtmlEncode(FakeData.DisplayName(domain));
        var slug = FakeData.Slug(FakeData.DisplayName(domain));
        var phone = FakeData.Phone(Seed, domain);
        return page switch
        {
            "about" => $"""
                <!DOCTYPE html><html><head><title>About us | {name}</title></head>
                <body><h1>About {name}</h1><p>Press enquiries: press@{domain}.</p>
                <a href="https://www.instagram.com/{slug}/">Instagram</a></body></html>
                """,
            "contact" => $"""
                <!DOCTYPE html><html><head><title>Contact | {name}</title></head>
                <body><a href="tel:+1-555-0199-0000">Support line</a><a href="mailto:support@{domain}">Support</a></body></html>
                """,
            _ => $"""
                <!DOCTYPE html>
                <html lang="en"><head>
                <meta charset="utf-8">
                <title>Home | {name}</title>
                <meta name="description" content="{name} makes dependable widgets for small businesses.">
                <meta property="og:site_name" content="{name}">
                <meta property="og:description" content="Widgets, done right.">
                </head><body>
                <header><img src="/logo@2x.png" alt="logo"><nav><a href="about">About</a> <a href="contact">Contact</a></nav></header>
                <p>Questions? Write to sales@{domain} or call us.</p>
                <footer>
                  <a href="https://www.linkedin.com/company/{slug}/">LinkedIn</a>
                  <a href="https://twitter.com/{slug}">Twitter</a>
                  <a href="https://twitter.com/intent/tweet?text=hello">Share</a>
                  <a href="https://www.facebook.com/{slug}">Facebook</a>
                  <a href="https://github.com/{slug}">GitHub</a>
                  <a href="mailto:hello@{domain}?subject=Hi">hello@{domain}</a>
                  <a href="tel:{phone.Replace(" ", "-", StringComparison.Ordinal)}">{phone}</a>
                </footer></body></html>
                """,
        };
    }
}
