using System.Text;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// The identifying input keys of <see cref="EnrichmentRequest.Input"/> (Sixtyfour's names; a request may hold other
/// columns of the row too, docs/api.md §5.2) and the normal forms used to match them: a lookup table's
/// key, a template's <c>{{domain}}</c>. A domain is lower case without scheme, <c>www.</c>, port or path; an email
/// lower case and trimmed; a name lower case with single spaces.
/// </summary>
public static class InputKeys
{
    public const string CompanyName = "company_name";
    public const string Domain = "domain";
    public const string Website = "website";
    public const string Name = "name";
    public const string Email = "email";
    public const string Company = "company";
    public const string Linkedin = "linkedin";
    public const string Title = "title";
    public const string Phone = "phone";

    /// <summary>Every input key, in the order messages list them (and Sixtyfour's request objects put them).</summary>
    public static readonly IReadOnlyList<string> All = [CompanyName, Domain, Website, Name, Email, Company, Linkedin, Title, Phone];

    /// <summary>The request's domain: its <c>domain</c> input, else the host of its <c>website</c>, normalized; null when neither gives one.</summary>
    public static string? DomainOf(EnrichmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return NormalizeDomain(request.InputValue(Domain)) ?? NormalizeDomain(request.InputValue(Website));
    }

    /// <summary>A template or lookup value of the request: the input, with <c>domain</c> derived from <c>website</c> when missing.</summary>
    public static string? ValueOf(EnrichmentRequest request, string key)
    {
        ArgumentNullException.ThrowIfNull(request);
        return key == Domain ? DomainOf(request) : request.InputValue(key);
    }

    /// <summary><c>https://www.Acme.com:443/about?x</c> → <c>acme.com</c>; null for blank text.</summary>
    public static string? NormalizeDomain(string? text)
    {
        var value = LowerWithoutScheme(text);
        if (value is null)
        {
            return null;
        }

        var end = value.IndexOfAny(['/', '?', '#']);
        if (end >= 0)
        {
            value = value[..end];
        }

        var at = value.LastIndexOf('@');
        if (at >= 0)
        {
            value = value[(at + 1)..];
        }

        var colon = value.LastIndexOf(':');
        if (colon >= 0 && !value.StartsWith('['))
        {
            value = value[..colon];
        }

        value = value.TrimEnd('.');
        if (value.StartsWith("www.", StringComparison.Ordinal))
        {
            value = value[4..];
        }

        return value.Length == 0 ? null : value;
    }

    public static string? NormalizeEmail(string? text) => text?.Trim().ToLowerInvariant() is { Length: > 0 } email ? email : null;

    /// <summary>Lower case, runs of white space as one space, trimmed.</summary>
    public static string? NormalizeName(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var part in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(part.ToLowerInvariant());
        }

        return builder.ToString();
    }

    /// <summary><c>https://www.linkedin.com/company/acme/?trk=x</c> → <c>linkedin.com/company/acme</c>.</summary>
    public static string? NormalizeLinkedin(string? text)
    {
        var value = LowerWithoutScheme(text);
        if (value is null)
        {
            return null;
        }

        var end = value.IndexOfAny(['?', '#']);
        if (end >= 0)
        {
            value = value[..end];
        }

        if (value.StartsWith("www.", StringComparison.Ordinal))
        {
            value = value[4..];
        }

        value = value.TrimEnd('/');
        return value.Length == 0 ? null : value;
    }

    /// <summary>The text trimmed, in lower case, without a leading <c>scheme://</c>; null for blank text.</summary>
    private static string? LowerWithoutScheme(string? text)
    {
        var value = text?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        return scheme >= 0 ? value[(scheme + 3)..] : value;
    }
}
