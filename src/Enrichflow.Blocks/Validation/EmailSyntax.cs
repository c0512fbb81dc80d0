using System.Globalization;
using System.Text;

namespace Enrichflow.Blocks.Validation;

/// <summary>An address that passed <see cref="EmailSyntax.TryParse"/>.</summary>
/// <param name="LocalPart">The local part as written (case kept).</param>
/// <param name="Domain">The domain in lower-case ASCII; an internationalized domain is in punycode (<c>xn--</c>).</param>
public readonly record struct ParsedEmail(string LocalPart, string Domain)
{
    /// <summary>The address as <c>local@domain</c> with the normalized domain.</summary>
    public string Normalized => LocalPart + "@" + Domain;
}

/// <summary>
/// Email address syntax as mail servers accept it in practice (RFC 5321 limits, RFC 5322 dot-atom, RFC 6531 UTF-8):
/// <list type="bullet">
/// <item>surrounding white space is trimmed; the address splits at its last <c>@</c>;</item>
/// <item>the local part is at most 64 octets (UTF-8), either a dot-atom (atext characters and non-ASCII letters,
/// no leading, trailing or consecutive dots) or a non-empty quoted string;</item>
/// <item>the domain is a host name: at least two labels of letters, digits and inner hyphens, each at most 63
/// octets, at most 253 octets in all, a top-level label of two or more characters that is not all digits.
/// Internationalized domains are converted to punycode with <see cref="IdnMapping"/>; the result is lower-cased.
/// Address literals (<c>[192.0.2.1]</c>) and a trailing root dot are refused;</item>
/// <item>the whole address is at most 254 octets.</item>
/// </list>
/// </summary>
public static class EmailSyntax
{
    public const int MaxLocalPartOctets = 64;
    public const int MaxDomainOctets = 253;
    public const int MaxLabelOctets = 63;
    public const int MaxAddressOctets = 254;

    private const string AtextSymbols = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>Parses and normalizes <paramref name="text"/>; false when it is empty or not an address.</summary>
    public static bool TryParse(string? text, out ParsedEmail email)
    {
        email = default;
        if (!TrySplit(text, out var local, out var rawDomain)
            || !IsValidLocalPart(local)
            || !TryNormalizeDomain(rawDomain, out var domain)
            || !FitsAddress(local, domain))
        {
            return false;
        }

        email = new ParsedEmail(local.ToString(), domain);
        return true;
    }

    /// <summary>
    /// The first steps of <see cref="TryParse"/>: the trimmed text cut at its last <c>@</c> into a non-empty local part
    /// and domain as written. A caller that normalizes each distinct domain once checks the parts itself with
    /// <see cref="IsValidLocalPart"/>, <see cref="TryNormalizeDomain"/> and <see cref="FitsAddress"/>.
    /// </summary>
    public static bool TrySplit(string? text, out ReadOnlySpan<char> local, out ReadOnlySpan<char> domain)
    {
        var trimmed = text.AsSpan().Trim();
        var at = trimmed.LastIndexOf('@');
        if (at <= 0 || at == trimmed.Length - 1)
        {
            local = domain = default;
            return false;
        }

        local = trimmed[..at];
        domain = trimmed[(at + 1)..];
        return true;
    }

    /// <summary>True when <c>local@domain</c> (the domain normalized) is within <see cref="MaxAddressOctets"/>.</summary>
    public static bool FitsAddress(ReadOnlySpan<char> local, string domain) =>
        Encoding.UTF8.GetByteCount(local) + 1 + domain.Length <= MaxAddressOctets;

    /// <summary>True when <paramref name="local"/> is a dot-atom or quoted local part within 64 octets.</summary>
    public static bool IsValidLocalPart(ReadOnlySpan<char> local)
    {
        if (local.IsEmpty || Encoding.UTF8.GetByteCount(local) > MaxLocalPartOctets)
        {
            return false;
        }

        return local[0] == '"' ? IsQuotedString(local) : IsDotAtom(local);
    }

    /// <summary>
    /// Converts a domain to lower-case ASCII (punycode for internationalized names) and checks it is a host name.
    /// </summary>
    public static bool TryNormalizeDomain(ReadOnlySpan<char> text, out string domain)
    {
        domain = "";
        if (text.IsEmpty || text[0] == '[' || text[^1] == '.')
        {
            return false;
        }

        var ascii = text.ToString().ToLowerInvariant();
        if (!Ascii.IsValid(ascii))
        {
            try
            {
                ascii = new IdnMapping { UseStd3AsciiRules = true }.GetAscii(ascii).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        if (!IsHostName(ascii))
        {
            return false;
        }

        domain = ascii;
        return true;
    }

    private static bool IsHostName(string domain)
    {
        if (domain.Length > MaxDomainOctets)
        {
            return false;
        }

        var labels = 0;
        var lastLabel = ReadOnlySpan<char>.Empty;
        foreach (var range in domain.AsSpan().Split('.'))
        {
            var label = domain.AsSpan(range);
            if (!IsLabel(label))
            {
                return false;
            }

            labels++;
            lastLabel = label;
        }

        return labels >= 2 && lastLabel.Length >= 2 && lastLabel.ContainsAnyExceptInRange('0', '9');
    }

    private static bool IsLabel(ReadOnlySpan<char> label)
    {
        if (label.IsEmpty || label.Length > MaxLabelOctets || label[0] == '-' || label[^1] == '-')
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDotAtom(ReadOnlySpan<char> local)
    {
        var previousDot = true;
        foreach (var c in local)
        {
            if (c == '.')
            {
                if (previousDot)
                {
                    return false;
                }

                previousDot = true;
                continue;
            }

            if (!IsAtext(c))
            {
                return false;
            }

            previousDot = false;
        }

        return !previousDot;
    }

    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c)
        || AtextSymbols.Contains(c, StringComparison.Ordinal)
        || (c > '\u007f' && !char.IsControl(c) && !char.IsWhiteSpace(c));

    private static bool IsQuotedString(ReadOnlySpan<char> local)
    {
        if (local.Length < 3 || local[^1] != '"')
        {
            return false;
        }

        var content = local[1..^1];
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (c == '\\')
            {
                i++;
                if (i == content.Length || !IsPrintableAsciiOrSpace(content[i]))
                {
                    return false;
                }
            }
            else if (c == '"' || !(IsPrintableAsciiOrSpace(c) || (c > '\u007f' && !char.IsControl(c))))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPrintableAsciiOrSpace(char c) => c is >= ' ' and <= '~';
}
