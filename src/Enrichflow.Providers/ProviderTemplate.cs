using System.Text.Json;
using System.Text.RegularExpressions;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// The <c>{{placeholder}}</c> templates of <c>http</c> providers: <c>{{company_name}}</c>, <c>{{domain}}</c>,
/// <c>{{website}}</c>, <c>{{name}}</c>, <c>{{email}}</c>, <c>{{company}}</c>, <c>{{linkedin}}</c> take the row's input
/// (missing ones are empty) and <c>{{api_key}}</c> the provider's key. Values are URL-encoded in paths and queries,
/// JSON-escaped in bodies (write <c>"{{domain}}"</c> inside quotes) and kept on one line in headers.
/// </summary>
public static partial class ProviderTemplate
{
    public const string ApiKey = "api_key";

    /// <summary>Every placeholder name, in the order messages list them.</summary>
    public static readonly IReadOnlyList<string> Names = [.. InputKeys.All, ApiKey];

    /// <summary>The placeholder names a template uses, in order of appearance.</summary>
    public static IEnumerable<string> NamesIn(string? template) =>
        template is null ? [] : Placeholder().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>The placeholders of a template that are not in <see cref="Names"/>.</summary>
    public static IEnumerable<string> UnknownNamesIn(string? template) => NamesIn(template).Where(n => !Names.Contains(n, StringComparer.Ordinal)).Distinct();

    public static string RenderUrl(string template, Func<string, string?> value) =>
        Render(template, value, Uri.EscapeDataString);

    public static string RenderJson(string template, Func<string, string?> value) =>
        Render(template, value, text => JsonEncodedText.Encode(text).ToString());

    public static string RenderHeader(string template, Func<string, string?> value) =>
        Render(template, value, text => text.ReplaceLineEndings(" "));

    private static string Render(string template, Func<string, string?> value, Func<string, string> encode) =>
        Placeholder().Replace(template, m => encode(value(m.Groups[1].Value) ?? ""));

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")]
    private static partial Regex Placeholder();
}
