using System.Text.Json;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;
using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Enrichment;

/// <summary>The checks every enrichment block shares: its <c>return_fields</c>, its provider (or waterfall) and its input columns.</summary>
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

    /// <summary>Adds the spec's column to the inputs when it is set; an empty name is a problem.</summary>
    public static void Input(List<EnrichmentInput> inputs, string? column, string key, string field, BlockCompileContext context)
    {
        if (column is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(column))
        {
            context.AddError(field, $"Block '{context.Definition.BlockId}': {field} must name a column.");
            return;
        }

        inputs.Add(new EnrichmentInput(column, key));
    }

    public static string Describe(EnrichmentOperation operation) => operation switch
    {
        EnrichmentOperation.EnrichCompany => "enrich companies",
        EnrichmentOperation.EnrichPerson => "enrich people",
        EnrichmentOperation.FindEmail => "find email addresses",
        _ => "find phone numbers",
    };
}

/// <summary>A row column read into the request under <see cref="Key"/> (company_name, website, name, email, ...).</summary>
internal sealed record EnrichmentInput(string Column, string Key);
