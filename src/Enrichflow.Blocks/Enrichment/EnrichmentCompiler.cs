using System.Text.Json;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>
/// The checks every enrichment block shares: its <c>return_fields</c>, its provider (or waterfall), its input columns,
/// <c>tier</c>, <c>people_fields</c> and <c>overwrite</c>.
/// </summary>
internal static class EnrichmentCompiler
{
    /// <summary>Columns every enrichment block adds, after its own.</summary>
    public static readonly string[] StatusColumns = ["enrich_status", "enrich_provider"];

    public static List<ReturnField> ReturnFields(Dictionary<string, JsonElement>? specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var fields = new List<ReturnField>();
        if (specs is null || specs.Count == 0)
        {
            context.AddError("return_fields", $"Block '{id}': return_fields is required: {{\"column\": \"what it holds\"}} or {{\"column\": {{\"description\": ..., \"type\": \"int\"}}}}.");
            return fields;
        }

        foreach (var (name, value) in specs)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                context.AddError(["return_fields"], $"Block '{id}': a return field has an empty name.");
                continue;
            }

            context.WarnIfColumnExists(["return_fields", name], name,
                $"Block '{id}': return field '{name}' is already a column at this point; the block's 'overwrite' spec decides which value the row keeps.");
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    fields.Add(new ReturnField(name, value.GetString()!, ReturnFieldType.Str));
                    break;
                case JsonValueKind.Object:
                    var description = value.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : name;
                    var type = ReturnFieldType.Str;
                    if (value.TryGetProperty("type", out var t))
                    {
                        if (ReturnFieldTypes.Parse(t.ValueKind == JsonValueKind.String ? t.GetString() : null) is { } parsed)
                        {
                            type = parsed;
                        }
                        else
                        {
                            context.AddError(["return_fields", name, "type"],
                                $"Block '{id}': return field '{name}' has type {t.GetRawText()}, which is not one of {string.Join(", ", ReturnFieldTypes.Names)}.");
                            continue;
                        }
                    }

                    fields.Add(new ReturnField(name, description, type));
                    break;
                default:
                    context.AddError(["return_fields", name],
                        $"Block '{id}': return field '{name}' must be a description (a string) or {{\"description\": ..., \"type\": ...}}.");
                    break;
            }
        }

        return fields;
    }

    /// <summary>The provider names of <c>provider</c> (one, or a list for a waterfall), each known and able to do <paramref name="operation"/>.</summary>
    public static List<IEnrichmentProvider> Providers(JsonElement? specs, EnrichmentOperation operation, ProviderRegistry registry, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var names = new List<string>();
        switch (specs)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                // The first provider that can do the block's work (with none configured: sample, or sample_people).
                names.Add(registry.Names.FirstOrDefault(n => registry.Find(n)?.Supports(operation) == true) ?? registry.DefaultName);
                break;
            case { ValueKind: JsonValueKind.String } one:
                names.Add(one.GetString()!);
                break;
            case { ValueKind: JsonValueKind.Array } list:
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        context.AddError("provider", $"Block '{id}': provider must be a provider name or a list of names; found {item.GetRawText()}.");
                        return [];
                    }

                    names.Add(item.GetString()!);
                }

                if (names.Count == 0)
                {
                    context.AddError("provider", $"Block '{id}': the provider list is empty.");
                }

                break;
            default:
                context.AddError("provider", $"Block '{id}': provider must be a provider name or a list of names.");
                return [];
        }

        var providers = new List<IEnrichmentProvider>();
        foreach (var name in names)
        {
            if (registry.Find(name) is not { } provider)
            {
                context.AddError("provider",
                    $"Block '{id}': unknown provider '{name}'. Providers configured on this server: {string.Join(", ", registry.Names)} (add one under Providers in the server configuration).");
            }
            else if (!provider.Supports(operation))
            {
                context.AddError("provider", $"Block '{id}': provider '{name}' ({provider.Kind.ToWire()}) cannot {Describe(operation)}.");
            }
            else if (providers.Contains(provider))
            {
                context.AddError("provider", $"Block '{id}': provider '{name}' is listed twice.");
            }
            else
            {
                providers.Add(provider);
            }
        }

        return providers;
    }

    /// <summary>A <c>*_field</c> spec that is given must name a column (docs/api.md §5.2: absent means the conventional names).</summary>
    public static void CheckColumn(string? column, string field, BlockCompileContext context)
    {
        if (column is not null && string.IsNullOrWhiteSpace(column))
        {
            context.AddError(field, $"Block '{context.Definition.BlockId}': {field} must name a column.");
        }
    }

    /// <summary><c>overwrite</c>: never, if_found (the default) or always (docs/api.md §5).</summary>
    public static OverwritePolicy Overwrite(string? value, BlockCompileContext context)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "if_found":
                return OverwritePolicy.IfFound;
            case "never":
                return OverwritePolicy.Never;
            case "always":
                return OverwritePolicy.Always;
            default:
                context.AddError("overwrite", $"Block '{context.Definition.BlockId}': overwrite must be never, if_found or always (was '{value}').");
                return OverwritePolicy.IfFound;
        }
    }

    /// <summary>
    /// <c>tier</c>, passed to providers that take it (Sixtyfour's enrich-company: low, medium, high; enrich-lead also
    /// xhigh); null when not given.
    /// </summary>
    public static string? Tier(string? value, IReadOnlyList<string> tiers, BlockCompileContext context)
    {
        var tier = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(tier))
        {
            return null;
        }

        if (!tiers.Contains(tier, StringComparer.Ordinal))
        {
            context.AddError("tier", $"Block '{context.Definition.BlockId}': tier must be one of {string.Join(", ", tiers)} (was '{value}').");
        }

        return tier;
    }

    /// <summary><c>people_fields</c> {field: description | {description, type}}: what to find for each person (Sixtyfour's <c>lead_struct</c>).</summary>
    public static List<ReturnField> PeopleFields(Dictionary<string, JsonElement>? specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var fields = new List<ReturnField>();
        foreach (var (name, value) in specs ?? [])
        {
            var type = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("type", out var t)
                ? ReturnFieldTypes.Parse(t.ValueKind == JsonValueKind.String ? t.GetString() : null)
                : ReturnFieldType.Str;
            var description = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Object => value.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : name,
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(name) || description is null || type is null)
            {
                context.AddError(["people_fields", name],
                    $"Block '{id}': people field '{name}' must have a name and be a description or {{\"description\": ..., \"type\": ...}} "
                    + $"with type one of {string.Join(", ", ReturnFieldTypes.Names)}.");
                continue;
            }

            fields.Add(new ReturnField(name, description, type.Value));
        }

        return fields;
    }

    public static string Describe(EnrichmentOperation operation) => operation switch
    {
        EnrichmentOperation.EnrichCompany => "enrich companies",
        EnrichmentOperation.EnrichPerson => "enrich people",
        EnrichmentOperation.FindEmail => "find email addresses",
        _ => "find phone numbers",
    };
}

/// <summary>
/// Whether an answer replaces a row's own value of a column the block writes (docs/api.md §5). Under every policy
/// an empty answer never blanks a non-empty input value.
/// </summary>
internal enum OverwritePolicy
{
    /// <summary>A non-empty input value is kept; answers fill only empty cells.</summary>
    Never,

    /// <summary>A value the provider found replaces the input value; where it found none, the input value stays.</summary>
    IfFound,

    /// <summary>The same as <see cref="IfFound"/>: a found value replaces, an empty answer never blanks.</summary>
    Always,
}
