using System.ComponentModel;
using System.Text.Json;
using Enrichflow.Blocks.Agents;
using Enrichflow.Core.Blocks;
using Enrichflow.Providers;

namespace Enrichflow.Blocks.Reverse;

/// <summary>Specs of <c>reverse_email</c> (docs/api.md §5.3).</summary>
public sealed record ReverseEmailSpecs(
    [property: Description("The column holding the email address.")] string EmailField = "email",
    [property: Description("A provider named in the server configuration (sixtyfour, or an http or lookup provider configured for reverse_email).")] JsonElement? Provider = null);

/// <summary>Specs of <c>reverse_phone</c> (docs/api.md §5.3).</summary>
public sealed record ReversePhoneSpecs(
    [property: Description("The column holding the phone number.")] string PhoneField = "phone",
    [property: Description("A provider named in the server configuration (sixtyfour).")] JsonElement? Provider = null);

/// <summary><c>reverse_email</c>: the person behind each LEAD row's email address (Sixtyfour <c>/reverse-email</c>).</summary>
public sealed class ReverseEmailBlockType(ProviderRegistry providers) : BlockType<ReverseEmailSpecs>
{
    public override string Name => "reverse_email";

    public override string SpecsExample => """
        {"email_field": "email"}
        """;

    public override string Description =>
        "Looks up the person behind each row's email address (email_field, default email) through a provider: Sixtyfour's "
        + "/reverse-email, or an http or lookup provider configured for reverse_email. Adds name, title, company, linkedin, "
        + "location, enrich_status (ok, not_found) and enrich_provider; a value found replaces the column's. Answers are cached "
        + "per organization; a row without an address or whose call failed goes to rejects with the reason, and the run goes on.";

    public override DataframeType Takes => DataframeType.Lead;

    protected override CompiledBlock? Compile(ReverseEmailSpecs specs, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(specs.EmailField))
        {
            context.AddError("email_field", $"Block '{context.Definition.BlockId}': email_field must name a column.");
        }

        var provider = AgentProviders.Resolve(specs.Provider, EnrichmentOperation.ReverseEmail, providers, context);
        return provider is null ? null : new ReverseLookupBlock(Name, EnrichmentOperation.ReverseEmail, specs.EmailField, InputKeys.Email, InputKeys.NormalizeEmail, provider);
    }
}

/// <summary><c>reverse_phone</c>: the person behind each LEAD row's phone number (Sixtyfour <c>/reverse-phone</c>).</summary>
public sealed class ReversePhoneBlockType(ProviderRegistry providers) : BlockType<ReversePhoneSpecs>
{
    public override string Name => "reverse_phone";

    public override string SpecsExample => """
        {"phone_field": "phone"}
        """;

    public override string Description =>
        "Looks up the person behind each row's phone number (phone_field, default phone) through a provider (Sixtyfour's "
        + "/reverse-phone). Adds name, title, company, linkedin, location, enrich_status (ok, not_found) and enrich_provider; "
        + "a value found replaces the column's. Answers are cached per organization; a row without a number or whose call "
        + "failed goes to rejects with the reason, and the run goes on.";

    public override DataframeType Takes => DataframeType.Lead;

    protected override CompiledBlock? Compile(ReversePhoneSpecs specs, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(specs.PhoneField))
        {
            context.AddError("phone_field", $"Block '{context.Definition.BlockId}': phone_field must name a column.");
        }

        var provider = AgentProviders.Resolve(specs.Provider, EnrichmentOperation.ReversePhone, providers, context);
        return provider is null ? null : new ReverseLookupBlock(Name, EnrichmentOperation.ReversePhone, specs.PhoneField, AgentRequests.Phone, NormalizePhone, provider);
    }

    /// <summary>The number as written, trimmed and with inner white space collapsed (a provider reads any format).</summary>
    private static string? NormalizePhone(string text) =>
        string.IsNullOrWhiteSpace(text) ? null : string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
