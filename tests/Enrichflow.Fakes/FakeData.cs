using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Enrichflow.Fakes;

/// <summary>Deterministic fake facts: the same seed, key and field always give the same value.</summary>
public static partial class FakeData
{
    /// <summary>The normal form of a request key: a domain (scheme, www. and path dropped), an email, or a name, all lower case.</summary>
    public static string Key(string? text)
    {
        var value = (text ?? "").Trim().ToLowerInvariant();
        if (value.Contains("://", StringComparison.Ordinal) || !value.Contains(' ', StringComparison.Ordinal) && !value.Contains('@', StringComparison.Ordinal) && value.Contains('.', StringComparison.Ordinal))
        {
            var start = value.IndexOf("://", StringComparison.Ordinal);
            value = start >= 0 ? value[(start + 3)..] : value;
            var end = value.IndexOfAny(['/', '?', '#', ':']);
            value = end >= 0 ? value[..end] : value;
            return value.StartsWith("www.", StringComparison.Ordinal) ? value[4..] : value;
        }

        return string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    public static ulong Hash(int seed, params string[] parts)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(seed.ToString(CultureInfo.InvariantCulture) + "|" + string.Join('|', parts)));
        return BitConverter.ToUInt64(bytes, 0);
    }

    public static bool IsFound(int seed, string key, int hitPercent) => (int)(Hash(seed, key) % 100) < hitPercent;

    /// <summary>The type named in a Sixtyfour struct description: "Employees (type: int)" → int; none → str.</summary>
    public static string TypeInDescription(JsonNode? description)
    {
        if (description is JsonObject spec)
        {
            return spec["type"]?.ToString() ?? "str";
        }

        var match = TypeMention().Match(description?.ToString() ?? "");
        return match.Success ? match.Groups[1].Value.ToLowerInvariant() : "str";
    }

    /// <summary>A value of the named type (str, int, float, bool, list[str], list[int], dict), plausible for the field name.</summary>
    public static JsonNode? Value(int seed, string key, string field, string type)
    {
        var h = Hash(seed, key, field);
        var domain = DomainOf(key);
        return type switch
        {
            "int" or "integer" => JsonValue.Create((long)(h % 99_999) + 1),
            "float" or "number" => JsonValue.Create(Math.Round((h % 100_000) / 100.0, 2)),
            "bool" or "boolean" => JsonValue.Create(h % 2 == 0),
            "list[str]" or "list" or "array" => new JsonArray($"{field}-{h % 7}", $"{field}-{h % 11 + 7}"),
            "list[int]" => new JsonArray((long)(h % 100), (long)(h % 1000)),
            "dict" or "object" => new JsonObject { ["source"] = "fake", ["key"] = key },
            _ => Text(field, key, domain, h),
        };
    }

    /// <summary>A value that breaks the type: text for numbers and bools, an object for text and lists.</summary>
    public static JsonNode WrongValue(string type) => type switch
    {
        "int" or "integer" or "float" or "number" => JsonValue.Create("about a dozen"),
        "bool" or "boolean" => JsonValue.Create("maybe"),
        "dict" or "object" => JsonValue.Create("not an object"),
        _ => new JsonObject { ["unexpected"] = true },
    };

    /// <summary>The domain a key stands for (itself, an email's domain, or a made-up one for a name).</summary>
    public static string DomainOf(string key) =>
        key.Contains('@', StringComparison.Ordinal) ? key[(key.IndexOf('@', StringComparison.Ordinal) + 1)..]
        : key.Contains('.', StringComparison.Ordinal) && !key.Contains(' ', StringComparison.Ordinal) ? key
        : Slug(key) + ".example";

    /// <summary>"acme.example" → "Acme"; "ada lovelace" → "Ada Lovelace".</summary>
    public static string DisplayName(string key)
    {
        var basis = key.Contains('@', StringComparison.Ordinal) ? key[..key.IndexOf('@', StringComparison.Ordinal)].Replace('.', ' ')
            : key.Contains('.', StringComparison.Ordinal) && !key.Contains(' ', StringComparison.Ordinal) ? key.Split('.')[0].Replace('-', ' ')
            : key;
        return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(basis);
    }

    public static string Slug(string text) => string.Concat(text.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit));

    public static string Phone(int seed, string key) => $"+1 555 01{Hash(seed, key, "phone") % 100:00} {Hash(seed, key, "line") % 10_000:0000}";

    /// <summary>Two or three people at the company.</summary>
    public static JsonArray People(int seed, string key)
    {
        string[] titles = ["Chief Executive Officer", "VP of Sales", "Head of Engineering"];
        string[] names = ["Alex Rivera", "Sam Chen", "Jordan Patel", "Robin Novak"];
        var domain = DomainOf(key);
        var count = 2 + (int)(Hash(seed, key, "people") % 2);
        var people = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var name = names[(int)((Hash(seed, key, "person", i.ToString(CultureInfo.InvariantCulture)) + (ulong)i) % (ulong)names.Length)];
            people.Add(new JsonObject
            {
                ["name"] = name,
                ["title"] = titles[i % titles.Length],
                ["email"] = $"{name.Split(' ')[0].ToLowerInvariant()}@{domain}",
                ["linkedin"] = $"https://www.linkedin.com/in/{Slug(name)}-{Slug(domain)}",
                ["score"] = 9 - i,
            });
        }

        return people;
    }

    private static JsonValue Text(string field, string key, string domain, ulong h)
    {
        var name = field.ToLowerInvariant();
        string text = name switch
        {
            _ when name.Contains("email", StringComparison.Ordinal) => $"contact@{domain}",
            _ when name.Contains("phone", StringComparison.Ordinal) => $"+1 555 01{h % 100:00} {h % 10_000:0000}",
            _ when name.Contains("linkedin", StringComparison.Ordinal) => $"https://www.linkedin.com/company/{Slug(DisplayName(key))}",
            _ when name.Contains("website", StringComparison.Ordinal) || name.EndsWith("url", StringComparison.Ordinal) => $"https://{domain}/",
            _ when name.Contains("domain", StringComparison.Ordinal) => domain,
            _ when name.Contains("name", StringComparison.Ordinal) => DisplayName(key),
            _ when name.Contains("country", StringComparison.Ordinal) => (string[])["US", "GB", "DE", "FR", "JP"] is var c ? c[h % (ulong)c.Length] : "US",
            _ => $"{field.Replace('_', ' ')} of {DisplayName(key)} #{h % 1000}",
        };
        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"\(type:\s*([A-Za-z\[\]]+)\)\s*$")]
    private static partial Regex TypeMention();
}
