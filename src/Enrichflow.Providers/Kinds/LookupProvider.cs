using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// A local reference table (<see cref="LookupTable"/>): free and instant, so no cache, limits or credits. The row is
/// found by the request's value of the table's <c>KeyField</c> (a domain also comes from the <c>website</c> input; a
/// name from <c>name</c> or <c>company_name</c>); requested fields are the columns of the same name, converted to
/// their types.
/// </summary>
public sealed class LookupProvider : IEnrichmentProvider
{
    internal LookupProvider(ResolvedProviderOptions options, LookupTable table)
    {
        Options = options;
        Table = table;
    }

    public ResolvedProviderOptions Options { get; }

    public LookupTable Table { get; }

    public string Name => Options.Name;

    public ProviderKind Kind => ProviderKind.Lookup;

    public ProviderLimits Limits => Options.Limits;

    public bool IsLocal => true;

    public bool Supports(EnrichmentOperation operation) => Options.Operations.Contains(operation);

    public Task<EnrichmentAnswer> CallAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Answer(request) with { Billable = false });
    }

    private EnrichmentAnswer Answer(EnrichmentRequest request)
    {
        var key = KeyOf(request);
        if (key is null)
        {
            return EnrichmentAnswer.NotFound($"the input has no {Table.KeyField}");
        }

        if (Table.Find(key) is not { } row)
        {
            return EnrichmentAnswer.NotFound($"{key} is not in {System.IO.Path.GetFileName(Table.Path)}");
        }

        var fields = FieldValues.Map(request.Fields, f => Column(row, f), out var error);
        return fields is null ? EnrichmentAnswer.Failed($"{System.IO.Path.GetFileName(Table.Path)}: {error}") : EnrichmentAnswer.Of(fields);
    }

    private string? KeyOf(EnrichmentRequest request) => Table.KeyField switch
    {
        InputKeys.Domain => InputKeys.DomainOf(request),
        InputKeys.Name => request.InputValue(InputKeys.Name) ?? request.InputValue(InputKeys.CompanyName),
        InputKeys.CompanyName => request.InputValue(InputKeys.CompanyName) ?? request.InputValue(InputKeys.Company) ?? request.InputValue(InputKeys.Name),
        var other => request.InputValue(other),
    };

    /// <summary>A CSV cell is parsed as the field's type; an NDJSON value is checked like a remote one.</summary>
    private static JsonNode? Column(IReadOnlyDictionary<string, JsonNode?> row, ReturnField field)
    {
        var value = row.GetValueOrDefault(field.Name);
        if (value?.GetValueKind() != JsonValueKind.String)
        {
            return value;
        }

        return FieldValues.TryFromText(field, value.GetValue<string>(), out var converted, out _) ? converted : value;
    }
}
