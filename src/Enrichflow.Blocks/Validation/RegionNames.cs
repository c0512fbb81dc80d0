using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using PhoneNumbers;

namespace Enrichflow.Blocks.Validation;

/// <summary>
/// Reads a country as people write it into the ISO 3166-1 alpha-2 region libphonenumber knows: a two- or
/// three-letter code (<c>gb</c>, <c>DEU</c>), an English or native name (<c>Germany</c>, <c>Deutschland</c>,
/// <c>Côte d'Ivoire</c>) or a common alias (<c>UK</c>, <c>USA</c>, <c>Holland</c>). Case, accents, dots and
/// a leading "the" are ignored.
/// </summary>
public static class RegionNames
{
    private static readonly Lazy<FrozenDictionary<string, string>> Names = new(Build);

    private static readonly (string Alias, string Region)[] Aliases =
    [
        ("usa", "US"), ("us", "US"), ("america", "US"), ("united states of america", "US"),
        ("uk", "GB"), ("great britain", "GB"), ("britain", "GB"), ("england", "GB"), ("scotland", "GB"),
        ("wales", "GB"), ("northern ireland", "GB"), ("united kingdom of great britain and northern ireland", "GB"),
        ("holland", "NL"), ("south korea", "KR"), ("republic of korea", "KR"), ("north korea", "KP"),
        ("russia", "RU"), ("russian federation", "RU"), ("czech republic", "CZ"), ("ivory coast", "CI"),
        ("uae", "AE"), ("vietnam", "VN"), ("viet nam", "VN"), ("iran", "IR"), ("syria", "SY"), ("laos", "LA"),
        ("bolivia", "BO"), ("venezuela", "VE"), ("tanzania", "TZ"), ("moldova", "MD"), ("macedonia", "MK"),
        ("taiwan", "TW"), ("hong kong", "HK"), ("macau", "MO"), ("macao", "MO"), ("turkey", "TR"), ("turkiye", "TR"),
        ("burma", "MM"), ("myanmar", "MM"), ("cape verde", "CV"), ("swaziland", "SZ"), ("eswatini", "SZ"),
        ("vatican", "VA"), ("vatican city", "VA"), ("palestine", "PS"), ("congo", "CG"), ("drc", "CD"),
        ("democratic republic of the congo", "CD"), ("east timor", "TL"), ("micronesia", "FM"), ("brunei", "BN"),
    ];

    /// <summary>The region <paramref name="text"/> names, upper case; false when it names none.</summary>
    public static bool TryResolve(string? text, out string region)
    {
        region = "";
        var key = Normalize(text);
        if (key.Length == 0)
        {
            return false;
        }

        if (key.Length == 2 && PhoneNumberUtil.GetInstance().GetSupportedRegions().Contains(key.ToUpperInvariant()))
        {
            region = key.ToUpperInvariant();
            return true;
        }

        if (Names.Value.TryGetValue(key, out var found))
        {
            region = found;
            return true;
        }

        return false;
    }

    private static FrozenDictionary<string, string> Build()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var code in PhoneNumberUtil.GetInstance().GetSupportedRegions())
        {
            RegionInfo info;
            try
            {
                info = new RegionInfo(code);
            }
            catch (ArgumentException)
            {
                continue;
            }

            foreach (var name in (string[])[info.ThreeLetterISORegionName, info.EnglishName, info.NativeName, info.DisplayName])
            {
                var key = Normalize(name);
                if (key.Length > 0)
                {
                    names.TryAdd(key, code);
                }
            }
        }

        foreach (var (alias, region) in Aliases)
        {
            names[alias] = region;
        }

        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var decomposed = text.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark || c is '.' or '\'' or '’')
            {
                continue;
            }

            if (char.IsWhiteSpace(c) || c is '-' or ',')
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        var key = builder.ToString();
        return key.StartsWith("the ", StringComparison.Ordinal) ? key[4..] : key;
    }
}
