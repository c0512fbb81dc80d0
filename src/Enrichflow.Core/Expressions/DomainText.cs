namespace Enrichflow.Core.Expressions;

/// <summary>The domain of an email address or URL, as the <c>domain()</c> function and <c>extract_domain</c> give it.</summary>
public static class DomainText
{
    /// <summary>
    /// "Jane@Mail.Example.com" gives "mail.example.com"; "https://www.Example.com/about" and "www.example.com"
    /// give "example.com". Lower-cased, without a leading <c>www.</c>; null when the text holds no domain.
    /// </summary>
    public static string? FromEmailOrUrl(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var value = text.Trim();
        string? host;
        var at = value.LastIndexOf('@');
        if (at >= 0 && !value.Contains("://", StringComparison.Ordinal))
        {
            host = value[(at + 1)..].TrimEnd('>', ' ', ')', ';', ',');
        }
        else
        {
            var url = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
            host = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.IdnHost : null;
        }

        return Clean(host);
    }

    private static string? Clean(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        var domain = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (domain.StartsWith("www.", StringComparison.Ordinal))
        {
            domain = domain[4..];
        }

        if (domain.Length == 0 || !domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.'))
        {
            return null;
        }

        foreach (var c in domain)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' || c > 127))
            {
                return null;
            }
        }

        return domain;
    }
}
