using System.Text.Json.Nodes;
using Enrichflow.Core.Rows;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>
/// What an enrichment block reads from a row and sends as the request object (docs/api.md §5.2). Each identifying
/// value has a key (Sixtyfour's name: <c>company_name</c>, <c>website</c>, <c>name</c>, <c>email</c>, ...) and the
/// columns it is read from, in order: the block's <c>*_field</c> spec first, then the conventional names. Without
/// any <c>*_field</c> spec the request holds every non-empty column of the row (nested lists and objects, and the
/// <c>enrich_status</c> / <c>enrich_provider</c> bookkeeping, left out) with the identifying values under their keys;
/// with one, it holds only the identifying values. A missing <c>domain</c> is the host of the <c>website</c> value,
/// else of <c>company_website</c> (a lead's company). A row with no identifying value has nothing to look up.
/// </summary>
internal sealed class EnrichmentInputs
{
    private readonly IReadOnlyList<InputSlot> _slots;
    private readonly bool _wholeRow;

    private EnrichmentInputs(IReadOnlyList<InputSlot> slots, IReadOnlyList<string> specColumns)
    {
        _slots = slots;
        SpecColumns = specColumns;
        _wholeRow = specColumns.Count == 0;
        LookedFor = string.Join(", ", slots.Where(s => s.Identifies).SelectMany(s => s.Sources)
            .Select(parts => string.Join(" + ", parts.Select(p => $"'{p}'"))).Distinct(StringComparer.Ordinal));
    }

    /// <summary>The columns named by <c>*_field</c> specs (checked against a declared <c>input_schema</c>).</summary>
    public IReadOnlyList<string> SpecColumns { get; }

    /// <summary>The identifying columns, in the order they are tried, for the reason of a row that has none.</summary>
    public string LookedFor { get; }

    /// <summary>A company: <c>company_name</c>, <c>company</c>, <c>name</c>; <c>website</c>; <c>domain</c>; <c>linkedin</c>.</summary>
    public static EnrichmentInputs Company(string? companyField, string? websiteField) => new(
        [
            Slot(InputKeys.CompanyName, companyField, true, "company_name", "company", "name"),
            Slot(InputKeys.Website, websiteField, true, "website"),
            Slot(InputKeys.Domain, null, true, "domain"),
            Slot(InputKeys.Linkedin, null, true, "linkedin"),
        ],
        Specified(companyField, websiteField));

    /// <summary>
    /// A person: the name (<c>full_name</c>, <c>name</c>, <c>first_name</c> + <c>last_name</c>; a finder of
    /// emails or phones tries <c>name</c> first), <c>email</c>, <c>linkedin</c>, <c>company</c> (else
    /// <c>company_name</c>), <c>title</c>, <c>phone</c>; <c>domain</c> (else <c>company_domain</c>) goes along but
    /// identifies nobody alone.
    /// </summary>
    public static EnrichmentInputs Person(
        bool finder, string? nameField = null, string? emailField = null, string? linkedinField = null, string? companyField = null, string? domainField = null)
    {
        string[][] names = finder
            ? [["name"], ["full_name"], ["first_name", "last_name"]]
            : [["full_name"], ["name"], ["first_name", "last_name"]];
        return new(
            [
                new InputSlot(InputKeys.Name, [.. Spec(nameField), .. names], true),
                Slot(InputKeys.Email, emailField, true, "email"),
                Slot(InputKeys.Linkedin, linkedinField, true, "linkedin"),
                Slot(InputKeys.Company, companyField, true, "company", "company_name"),
                Slot(InputKeys.Title, null, true, "title"),
                Slot(InputKeys.Phone, null, true, "phone"),
                Slot(InputKeys.Domain, domainField, false, "domain", "company_domain"),
            ],
            Specified(nameField, emailField, linkedinField, companyField, domainField));
    }

    /// <summary>The row's request input (values trimmed, inner white space collapsed); null when no identifying column has a value.</summary>
    public Dictionary<string, string>? Of(Row row)
    {
        var input = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_wholeRow)
        {
            foreach (var (column, value) in row)
            {
                if (value is not JsonNode && !EnrichmentCompiler.StatusColumns.Contains(column)
                    && EnrichBlock.Normalize(RowValues.ToText(value)) is { } text)
                {
                    input[column] = text;
                }
            }
        }

        var identified = false;
        foreach (var slot in _slots)
        {
            if (slot.Sources.Select(parts => Read(row, parts)).FirstOrDefault(v => v is not null) is { } value)
            {
                input[slot.Key] = value;
                identified |= slot.Identifies;
            }
        }

        if (!input.ContainsKey(InputKeys.Domain)
            && InputKeys.NormalizeDomain(input.GetValueOrDefault(InputKeys.Website) ?? EnrichBlock.Normalize(row.GetText("company_website"))) is { } domain)
        {
            // The same normal form of a website's domain the providers match on (lookup keys, {{domain}}).
            input[InputKeys.Domain] = domain;
        }

        return identified ? input : null;
    }

    /// <summary>The value of one column, or of several joined by a space (<c>first_name</c> + <c>last_name</c>); null when empty.</summary>
    private static string? Read(Row row, string[] parts) =>
        EnrichBlock.Normalize(string.Join(' ', parts.Select(p => row.TryGetValue(p, out var v) && v is not JsonNode ? RowValues.ToText(v) : null)));

    private static InputSlot Slot(string key, string? specColumn, bool identifies, params string[] conventional) =>
        new(key, [.. Spec(specColumn), .. conventional.Select(c => new[] { c })], identifies);

    private static string[][] Spec(string? column) => string.IsNullOrWhiteSpace(column) ? [] : [[column]];

    private static string[] Specified(params string?[] columns) =>
        [.. columns.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!).Distinct(StringComparer.Ordinal)];

    /// <summary>One identifying value: its key in the request and the columns (or column pairs) it is read from, in order.</summary>
    private sealed record InputSlot(string Key, IReadOnlyList<string[]> Sources, bool Identifies);
}
