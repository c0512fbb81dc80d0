using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Providers.Kinds;

/// <summary><c>/find-email</c> and <c>/find-phone</c>: a lead in, the first address or number out.</summary>
public sealed partial class SixtyfourProvider
{
    /// <summary>The fields find_email fills when the block asks for none in particular.</summary>
    private static readonly ReturnField[] EmailFields =
    [
        new("email", "The person's email address", ReturnFieldType.Str),
        new("email_status", "OK or UNKNOWN", ReturnFieldType.Str),
        new("email_type", "COMPANY or PERSONAL", ReturnFieldType.Str),
    ];

    private static readonly ReturnField[] PhoneFields =
    [
        new("phone", "The person's phone number", ReturnFieldType.Str),
        new("phone_status", "OK when a number was found", ReturnFieldType.Str),
    ];

    /// <summary><c>{lead: {name, company, domain, …}, mode}</c>.</summary>
    internal static JsonObject EmailBody(EnrichmentRequest request) => new()
    {
        ["lead"] = LeadObject(request),
        ["mode"] = (request.OptionValue("mode") ?? "PROFESSIONAL").ToUpperInvariant(),
    };

    internal static JsonObject PhoneBody(EnrichmentRequest request) => new() { ["lead"] = LeadObject(request) };

    /// <summary>The lead of find-email and find-phone: the inputs under the names of Sixtyfour's schema (<c>linkedin</c>), with the company name as <c>company</c>.</summary>
    private static JsonObject LeadObject(EnrichmentRequest request)
    {
        var lead = InputObject(request);
        if (!lead.ContainsKey(InputKeys.Company) && request.InputValue(InputKeys.CompanyName) is { } company)
        {
            lead.Remove(InputKeys.CompanyName);
            lead[InputKeys.Company] = company;
        }

        return lead;
    }

    private async Task<EnrichmentAnswer> FindEmailAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        using var post = Post("find-email", EmailBody(request));
        var reply = await Http.SendJsonAsync(post, null, cancellationToken);
        if (!reply.IsJson)
        {
            return reply.Answer;
        }

        // email: [[address, "OK"|"UNKNOWN", "COMPANY"|"PERSONAL"], ...]; PERSONAL mode may also answer personal_email.
        var first = reply.Json?["email"] is JsonArray entries ? entries.FirstOrDefault(e => e is not null) : reply.Json?["email"];
        JsonNode? address = first is JsonArray tuple ? tuple.ElementAtOrDefault(0) : first;
        var status = first is JsonArray t1 ? t1.ElementAtOrDefault(1) : null;
        var type = first is JsonArray t2 ? t2.ElementAtOrDefault(2) : null;
        if (!EnrichmentAnswer.HasValue(address) && reply.Json?["personal_email"] is { } personal && EnrichmentAnswer.HasValue(personal))
        {
            (address, status, type) = (personal, JsonValue.Create("OK"), JsonValue.Create("PERSONAL"));
        }

        if (!EnrichmentAnswer.HasValue(address))
        {
            return EnrichmentAnswer.NotFound("no email found");
        }

        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["email"] = address,
            ["email_status"] = status,
            ["email_type"] = type,
        };
        return Contact(request, EmailFields, values);
    }

    private async Task<EnrichmentAnswer> FindPhoneAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        using var post = Post("find-phone", PhoneBody(request));
        var reply = await Http.SendJsonAsync(post, null, cancellationToken);
        if (!reply.IsJson)
        {
            return reply.Answer;
        }

        // phone: "+1 555…" | "" | [{number, region}, ...] | ["+1…", ...]
        var numbers = reply.Json?["phone"] switch
        {
            JsonArray list => list.Select(p => p is JsonObject o ? o["number"] ?? o["phone"] : p).Where(EnrichmentAnswer.HasValue).ToList(),
            { } single when EnrichmentAnswer.HasValue(single) => [single],
            _ => [],
        };
        if (numbers.Count == 0)
        {
            return EnrichmentAnswer.NotFound("no phone found");
        }

        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["phone"] = numbers[0],
            ["phone_status"] = reply.Json?["phone_status"] ?? JsonValue.Create("OK"),
            ["phones"] = new JsonArray([.. numbers.Select(n => n?.DeepClone())]),
        };
        return Contact(request, PhoneFields, values);
    }

    /// <summary>The requested fields (or the operation's usual ones when the block asked for none) from the values found.</summary>
    private static EnrichmentAnswer Contact(EnrichmentRequest request, IReadOnlyList<ReturnField> usual, Dictionary<string, JsonNode?> values)
    {
        var fields = FieldValues.Map(request.Fields.Count > 0 ? request.Fields : usual, f => values.GetValueOrDefault(f.Name), out var error);
        return fields is null
            ? EnrichmentAnswer.Failed(error!, billable: true)
            : EnrichmentAnswer.Of(fields);
    }
}
