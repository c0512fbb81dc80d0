using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Providers;
using Enrichflow.Providers.Kinds;

namespace Enrichflow.Blocks.Agents;

/// <summary>
/// The one provider a block of docs/api.md §5.3 calls: the one it names, or the first configured one that can do its
/// operation. A provider that cannot is a 400 naming the providers (and kinds) that can.
/// </summary>
internal static class AgentProviders
{
    public static IEnrichmentProvider? Resolve(JsonElement? spec, EnrichmentOperation operation, ProviderRegistry registry, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        var able = registry.Names.Where(n => registry.Find(n)?.Supports(operation) == true).ToList();
        string name;
        switch (spec)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                if (able.Count == 0)
                {
                    context.AddError("provider", $"Block '{id}': no provider configured on this server can {Describe(operation)}; {Kinds(operation)} (add one under Providers in the server configuration).");
                    return null;
                }

                name = able[0];
                break;
            case { ValueKind: JsonValueKind.String } one when !string.IsNullOrWhiteSpace(one.GetString()):
                name = one.GetString()!.Trim();
                break;
            default:
                context.AddError("provider", $"Block '{id}': provider must be the name of one provider configured on this server.");
                return null;
        }

        if (registry.Find(name) is not { } provider)
        {
            context.AddError("provider",
                $"Block '{id}': unknown provider '{name}'. Providers configured on this server: {string.Join(", ", registry.Names)} (add one under Providers in the server configuration).");
            return null;
        }

        if (!provider.Supports(operation))
        {
            var which = able.Count > 0 ? $"providers that can: {string.Join(", ", able)}" : $"no configured provider can; {Kinds(operation)}";
            context.AddError("provider", $"Block '{id}': provider '{name}' ({provider.Kind.ToWire()}) cannot {Describe(operation)}; {which}.");
            return null;
        }

        return provider;
    }

    /// <summary>Adds a spec's text to the request options when it is set (trimmed).</summary>
    public static void AddOption(Dictionary<string, string> options, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            options[key] = value.Trim();
        }
    }

    /// <summary>"a sixtyfour or openai_compatible provider can".</summary>
    private static string Kinds(EnrichmentOperation operation)
    {
        var kinds = ProviderKinds.All.Where(k => k.SupportedOperations.Contains(operation)).Select(k => k.Name).ToList();
        return kinds.Count == 0 ? "no provider kind can" : $"{(kinds[0][0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a")} {string.Join(" or ", kinds)} provider can";
    }

    public static string Describe(EnrichmentOperation operation) => operation switch
    {
        EnrichmentOperation.ReverseEmail => "look up the person behind an email address (reverse_email)",
        EnrichmentOperation.ReversePhone => "look up the person behind a phone number (reverse_phone)",
        EnrichmentOperation.Llm => "answer a prompt (llm)",
        EnrichmentOperation.QaAgent => "score rows against qualification criteria (qa_agent)",
        EnrichmentOperation.ResearchAgent => "research rows (research_agent)",
        _ => operation.ToWire(),
    };
}
