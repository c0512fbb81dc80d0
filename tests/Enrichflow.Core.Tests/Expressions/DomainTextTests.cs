using Enrichflow.Core.Expressions;

namespace Enrichflow.Core.Tests.Expressions;

public sealed class DomainTextTests
{
    [Theory]
    [InlineData("jane@Acme.com", "acme.com")]
    [InlineData("Jane <jane@mail.acme.co.uk>", "mail.acme.co.uk")]
    [InlineData("https://www.Example.com/about?x=1", "example.com")]
    [InlineData("http://user@shop.example.com:8080/", "shop.example.com")]
    [InlineData("www.example.com", "example.com")]
    [InlineData("example.com/path", "example.com")]
    [InlineData("  EXAMPLE.COM  ", "example.com")]
    [InlineData("mailto:sales@example.com", "example.com")]
    [InlineData("not a domain", null)]
    [InlineData("localhost", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("jane@", null)]
    public void Domain_comes_from_an_email_or_url_lower_cased_without_www(string? text, string? expected) =>
        Assert.Equal(expected, DomainText.FromEmailOrUrl(text));
}
