namespace Enrichflow.Providers.Kinds;

/// <summary>The <c>lookup</c> kind: <see cref="LookupProvider"/>, a local table, free and instant (no limits, no credits).</summary>
internal sealed class LookupKind : ProviderKindDescriptor
{
    public override ProviderKind Kind => ProviderKind.Lookup;

    public override string Name => "lookup";

    public override ProviderLimits DefaultLimits { get; } = new(RequestsPerMinute: 0, MaxConcurrency: 0, Timeout: TimeSpan.FromSeconds(60), CreditsPerCall: 0m);

    public override IReadOnlyList<EnrichmentOperation> DefaultOperations { get; } = [EnrichmentOperation.EnrichCompany];

    /// <summary>A table keyed by email can say who is behind an address; it cannot run an agent or a prompt.</summary>
    public override IReadOnlyList<EnrichmentOperation> SupportedOperations { get; } =
        [EnrichmentOperation.EnrichCompany, EnrichmentOperation.EnrichPerson, EnrichmentOperation.FindEmail, EnrichmentOperation.FindPhone, EnrichmentOperation.ReverseEmail];

    public override bool UsesHttpClient => false;

    /// <summary>The key field must be known and the table found and readable (it is loaded once here, so that a bad file stops the start).</summary>
    internal override void AddProblems(string at, ProviderOptions options, string dataDirectory, List<string> problems)
    {
        var keyField = options.KeyField;
        var keyKnown = keyField is not null && LookupTable.KeyFields.Contains(keyField);
        if (keyField is null)
        {
            problems.Add($"{at}:KeyField is missing; use one of {string.Join(", ", LookupTable.KeyFields)}.");
        }
        else if (!keyKnown)
        {
            problems.Add($"{at}:KeyField '{keyField}' is not a key field; use one of {string.Join(", ", LookupTable.KeyFields)}.");
        }

        if (string.IsNullOrWhiteSpace(options.Path))
        {
            problems.Add($"{at}:Path is missing; give the CSV or NDJSON file of the table.");
            return;
        }

        if (!LookupTable.IsSupported(options.Path))
        {
            problems.Add($"{at}:Path '{options.Path}' is neither CSV (.csv, .tsv, .txt) nor NDJSON (.ndjson, .jsonl).");
            return;
        }

        if (LookupTable.Locate(options.Path, dataDirectory, out var tried) is not { } file)
        {
            problems.Add($"{at}:Path '{options.Path}' was not found (looked at {string.Join(" and ", tried)}).");
            return;
        }

        if (keyKnown)
        {
            try
            {
                _ = LookupTable.Load(file, keyField!);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or FormatException)
            {
                problems.Add($"{at}:Path {e.Message}");
            }
        }
    }

    /// <summary>Loads the table (a lookup provider holds it in memory).</summary>
    internal override IEnrichmentProvider Create(ResolvedProviderOptions options, ProviderCreationContext context)
    {
        var configured = options.Configured;
        var file = LookupTable.Locate(configured.Path!, context.DataDirectory, out _)
            ?? throw new FileNotFoundException($"Providers:{options.Name}:Path '{configured.Path}' was not found.");
        return new LookupProvider(options, LookupTable.Load(file, configured.KeyField!));
    }
}
