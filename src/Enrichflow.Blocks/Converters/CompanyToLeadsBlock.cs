using System.Text.Json.Nodes;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Converters;

/// <summary>
/// The work of <c>company_to_leads</c> over one chunk of COMPANY rows.
/// <list type="bullet">
/// <item>Each entry of the row's <c>people_field</c> list gives one LEAD row: an object entry gives the person's
/// fields, a text entry gives <c>name</c>. The row's other columns are carried under <c>prefix</c>; a column already
/// starting with the prefix keeps its name (and wins over a column that would be prefixed into the same name). When
/// a person field and a carried column have the same name, the person's value is kept when the person has it.</item>
/// <item>Columns, stable within a chunk: every person field seen in the chunk in first-seen order, then every
/// carried company column in first-seen order; a lead lacking one holds null, so a chunk's leads share one header.</item>
/// <item>An empty list gives no lead and is not an error. A row whose list column is missing, null, empty text or not
/// a list goes to rejects with what it held. An entry that is neither an object nor a non-blank text goes to
/// rejects as a lead row (the carried company columns and the entry under <c>people_field</c>), with the lead's
/// index; the other entries still give leads.</item>
/// <item>Indexes: lead n (0-based, counting every entry) of company row i gets <c>i * 1,000,000 + n</c>, so leads
/// keep input order and the same input always numbers them alike. A company row listing more than 999,999 people,
/// or whose index is too large to be numbered so (above about 9.2 × 10^12, possible only after several converters
/// in a row), goes to rejects.</item>
/// </list>
/// </summary>
internal sealed class CompanyToLeadsBlock(string peopleField, string prefix) : RowBlock
{
    /// <summary>The index step between two company rows' leads.</summary>
    public const long LeadsPerCompany = 1_000_000;

    /// <summary>The most people a company row may list.</summary>
    public const int MaxPeople = (int)LeadsPerCompany - 1;

    private const long MaxCompanyIndex = (long.MaxValue - LeadsPerCompany) / LeadsPerCompany;

    public override IReadOnlyList<string> ReadsColumns => [peopleField];

    public override IReadOnlyList<string> RemovesColumns => [peopleField];

    /// <summary>Unknown before the run: the people's fields come from the list entries.</summary>
    public override IReadOnlyList<string>? OutputColumns(IReadOnlyList<string> input) => null;

    public override ValueTask ProcessAsync(RowChunk input, ChunkOutput output, BlockRunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);

        // First pass: read each company's people and carried columns, and the chunk's columns in first-seen order.
        var companies = new List<Company>(input.Count);
        var personColumns = new ColumnSet();
        var companyColumns = new ColumnSet();
        foreach (var row in input.Rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Read(row, out var reason) is not { } company)
            {
                output.Reject(row, reason!);
                continue;
            }

            foreach (var entry in company.People)
            {
                switch (entry)
                {
                    case JsonObject person:
                        foreach (var (key, _) in person)
                        {
                            personColumns.Add(key);
                        }

                        break;
                    case JsonValue value when PeopleColumn.ToRowValue(value) is string name && !string.IsNullOrWhiteSpace(name):
                        personColumns.Add("name");
                        break;
                }
            }

            foreach (var (key, _) in company.Carried)
            {
                companyColumns.Add(key);
            }

            companies.Add(company);
        }

        // Second pass: one lead per entry.
        foreach (var company in companies)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var n = 0; n < company.People.Count; n++)
            {
                var index = company.Row.Index * LeadsPerCompany + n;
                var last = n == company.People.Count - 1;
                var entry = company.People[n];
                if (Person(entry) is { } person)
                {
                    output.Emit(Lead(index, person, company.Carried, personColumns, companyColumns, last));
                }
                else
                {
                    var rejected = new Row(index, company.Carried.Count + 1);
                    foreach (var (key, value) in company.Carried)
                    {
                        rejected[key] = last ? value : Copy(value);
                    }

                    rejected[peopleField] = entry;
                    var kind = entry is JsonValue text && PeopleColumn.ToRowValue(text) is string ? "a blank string" : PeopleColumn.Kind(entry);
                    output.Reject(rejected, $"people_field '{peopleField}' entry {n} is {kind}, not an object or a name");
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The company's people (detached from the row, which this block owns) and carried columns; null with a reason for a reject.</summary>
    private Company? Read(Row row, out string? reason)
    {
        if (PeopleColumn.Read(row, peopleField, out reason) is not { } list)
        {
            return null;
        }

        if (list.Count > MaxPeople)
        {
            reason = $"people_field '{peopleField}' lists {list.Count} people; company_to_leads makes at most {MaxPeople} leads per company row";
            return null;
        }

        if (row.Index > MaxCompanyIndex)
        {
            reason = $"row index {row.Index} is too large for company_to_leads to number its leads (lead n of row i gets index i * {LeadsPerCompany} + n)";
            return null;
        }

        // Taking the entries out of the list detaches them, so they can become row values without a copy.
        var people = new List<JsonNode?>(list);
        list.Clear();
        return new Company(row, people, Carry(row));
    }

    /// <summary>The company columns under their lead names, in the row's order; an already-prefixed column wins a clash.</summary>
    private OrderedDictionary<string, object?> Carry(Row row)
    {
        var carried = new OrderedDictionary<string, object?>(row.Count, StringComparer.Ordinal);
        foreach (var (key, value) in row)
        {
            if (string.Equals(key, peopleField, StringComparison.Ordinal))
            {
                continue;
            }

            var hasPrefix = key.StartsWith(prefix, StringComparison.Ordinal);
            var name = hasPrefix ? key : prefix + key;
            if (hasPrefix || !carried.ContainsKey(name))
            {
                carried[name] = value;
            }
        }

        return carried;
    }

    /// <summary>A person's fields as row values, in their order; null when the entry makes no lead.</summary>
    private static List<KeyValuePair<string, object?>>? Person(JsonNode? entry)
    {
        switch (entry)
        {
            case JsonObject person:
                var fields = new List<KeyValuePair<string, object?>>(person.Count);
                var values = person.ToList();
                person.Clear();
                foreach (var (key, value) in values)
                {
                    fields.Add(new(key, PeopleColumn.ToRowValue(value)));
                }

                return fields;
            case JsonValue value when PeopleColumn.ToRowValue(value) is string name && !string.IsNullOrWhiteSpace(name):
                return [new("name", name)];
            default:
                return null;
        }
    }

    private static Row Lead(long index, List<KeyValuePair<string, object?>> person, OrderedDictionary<string, object?> carried,
        ColumnSet personColumns, ColumnSet companyColumns, bool last)
    {
        var lead = new Row(index, personColumns.Count + companyColumns.Count);
        foreach (var column in personColumns)
        {
            lead[column] = carried.TryGetValue(column, out var fromCompany) ? (last ? fromCompany : Copy(fromCompany)) : null;
        }

        foreach (var (key, value) in person)
        {
            lead[key] = value;
        }

        foreach (var column in companyColumns)
        {
            if (!personColumns.Contains(column))
            {
                lead[column] = carried.TryGetValue(column, out var value) ? (last ? value : Copy(value)) : null;
            }
        }

        return lead;
    }

    /// <summary>A company value for one more lead: nested lists and objects are copied, so that no two rows share a node.</summary>
    private static object? Copy(object? value) => value is JsonNode node ? node.DeepClone() : value;

    private sealed record Company(Row Row, List<JsonNode?> People, OrderedDictionary<string, object?> Carried);

    /// <summary>Column names in first-seen order.</summary>
    private sealed class ColumnSet : IEnumerable<string>
    {
        private readonly List<string> _order = [];
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public int Count => _order.Count;

        public void Add(string column)
        {
            if (_seen.Add(column))
            {
                _order.Add(column);
            }
        }

        public bool Contains(string column) => _seen.Contains(column);

        public IEnumerator<string> GetEnumerator() => _order.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
