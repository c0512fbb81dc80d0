using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>What an enrichment block asks of a provider.</summary>
public enum EnrichmentOperation { EnrichCompany, EnrichPerson, FindEmail, FindPhone, ReverseEmail, ReversePhone, Llm, QaAgent, ResearchAgent }

/// <summary>The names of the operations in configuration (a provider's <c>Operations</c>) and in <c>GET /providers</c>.</summary>
public static class EnrichmentOperations
{
    /// <summary>The names, in <see cref="EnrichmentOperation"/> order.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["enrich_company", "enrich_person", "find_email", "find_phone", "reverse_email", "reverse_phone", "llm", "qa_agent", "research_agent"];

    public static EnrichmentOperation? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "enrich_company" or "company_enrichment" => EnrichmentOperation.EnrichCompany,
        "enrich_person" or "enrich_lead" or "lead_enrichment" => EnrichmentOperation.EnrichPerson,
        "find_email" => EnrichmentOperation.FindEmail,
        "find_phone" => EnrichmentOperation.FindPhone,
        "reverse_email" => EnrichmentOperation.ReverseEmail,
        "reverse_phone" => EnrichmentOperation.ReversePhone,
        "llm" or "llm_openai" => EnrichmentOperation.Llm,
        "qa_agent" => EnrichmentOperation.QaAgent,
        "research_agent" => EnrichmentOperation.ResearchAgent,
        _ => null,
    };

    public static string ToWire(this EnrichmentOperation operation) => Names[(int)operation];
}

/// <summary>The value types of <c>return_fields</c> (docs/api.md §5).</summary>
public enum ReturnFieldType { Str, Int, Float, Bool, ListStr, ListInt, Dict }

public static class ReturnFieldTypes
{
    /// <summary>The names users write, in the order the error message lists them.</summary>
    public static readonly IReadOnlyList<string> Names = ["str", "int", "float", "bool", "list[str]", "list[int]", "dict"];

    public static ReturnFieldType? Parse(string? text) => text?.Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal) switch
    {
        "str" or "string" => ReturnFieldType.Str,
        "int" or "integer" => ReturnFieldType.Int,
        "float" or "number" => ReturnFieldType.Float,
        "bool" or "boolean" => ReturnFieldType.Bool,
        "list[str]" or "list" => ReturnFieldType.ListStr,
        "list[int]" => ReturnFieldType.ListInt,
        "dict" or "object" => ReturnFieldType.Dict,
        _ => null,
    };

    public static string ToWire(this ReturnFieldType type) => type switch
    {
        ReturnFieldType.Str => "str",
        ReturnFieldType.Int => "int",
        ReturnFieldType.Float => "float",
        ReturnFieldType.Bool => "bool",
        ReturnFieldType.ListStr => "list[str]",
        ReturnFieldType.ListInt => "list[int]",
        _ => "dict",
    };

    /// <summary>True when <paramref name="value"/> is a JSON value of the type (null is "not found", never a violation).</summary>
    public static bool Accepts(this ReturnFieldType type, JsonNode? value) => value is null || type switch
    {
        ReturnFieldType.Str => value.GetValueKind() == JsonValueKind.String,
        ReturnFieldType.Int => value.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out _)
            || value.GetValueKind() == JsonValueKind.Number && double.IsInteger(value.GetValue<double>()),
        ReturnFieldType.Float => value.GetValueKind() == JsonValueKind.Number,
        ReturnFieldType.Bool => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        ReturnFieldType.ListStr => value is JsonArray a && a.All(e => e is null || e.GetValueKind() == JsonValueKind.String),
        ReturnFieldType.ListInt => value is JsonArray a && a.All(e => e is null || e.GetValueKind() == JsonValueKind.Number),
        _ => value is JsonObject,
    };
}

/// <summary>One field an enrichment block asks for: the column it fills, what it means, its type.</summary>
public sealed record ReturnField(string Name, string Description, ReturnFieldType Type);

/// <summary>
/// One provider call as a block asks for it: the operation, the row's normalized input (the request object:
/// the identifying values under <see cref="InputKeys"/> names like <c>company_name</c>, <c>domain</c>,
/// <c>website</c>, <c>name</c>, <c>email</c>, <c>linkedin</c>, <c>company</c>, and, when the block names no input
/// column, the row's other non-empty columns under their own names; docs/api.md §5.2), the fields wanted, and the
/// block's options (<c>research_plan</c>, <c>find_people</c>, <c>people_focus_prompt</c>, <c>tier</c>, <c>mode</c>).
/// Two requests with equal <see cref="CacheKey"/> get the same answer.
/// </summary>
public sealed record EnrichmentRequest(
    EnrichmentOperation Operation,
    IReadOnlyDictionary<string, string> Input,
    IReadOnlyList<ReturnField> Fields,
    IReadOnlyDictionary<string, string> Options)
{
    private string? _canonical;

    /// <summary>With <c>find_people</c>: the fields wanted for each person found (Sixtyfour's <c>lead_struct</c>); empty for the provider's own.</summary>
    public IReadOnlyList<ReturnField> PeopleFields { get; init; } = [];

    /// <summary>The request as canonical JSON: keys sorted, so equal requests give equal text.</summary>
    public string CanonicalJson => _canonical ??= BuildCanonical();

    /// <summary>SHA-256 of <see cref="CanonicalJson"/>, lower-case hex: the provider cache key (with org and provider).</summary>
    public string CacheKey => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson)));

    public string? InputValue(string key) => Input.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    public string? OptionValue(string key) => Options.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    private string BuildCanonical()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("op", Operation.ToString());
            writer.WriteStartObject("input");
            foreach (var (key, value) in Input.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                // Case never changes who a company or person is: "ACME Inc" and "Acme Inc" share an answer.
                writer.WriteString(key, value.ToLowerInvariant());
            }

            writer.WriteEndObject();
            WriteFields(writer, "fields", Fields);
            if (PeopleFields.Count > 0)
            {
                // Written only when asked for, so requests without people fields keep the keys they always had.
                WriteFields(writer, "people_fields", PeopleFields);
            }

            writer.WriteStartObject("options");
            foreach (var (key, value) in Options.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteFields(Utf8JsonWriter writer, string name, IReadOnlyList<ReturnField> fields)
    {
        writer.WriteStartArray(name);
        foreach (var field in fields.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(field.Name);
            writer.WriteStringValue(field.Type.ToWire());
            writer.WriteStringValue(field.Description);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }
}

public enum EnrichmentOutcome { Found, NotFound, Failed }

/// <summary>
/// A provider's answer to one request. <see cref="Fields"/> holds the values found by return-field name (a
/// missing or null value was not found). A <see cref="EnrichmentOutcome.Failed"/> answer (bad JSON, a schema
/// violation, retries used up, a timeout) carries the reason and is never cached.
/// </summary>
public sealed record EnrichmentAnswer(EnrichmentOutcome Outcome, IReadOnlyDictionary<string, JsonNode?> Fields)
{
    public double? ConfidenceScore { get; init; }

    public string? Notes { get; init; }

    /// <summary>Sources: URL to what it says.</summary>
    public IReadOnlyDictionary<string, string>? References { get; init; }

    /// <summary>People found at a company (<c>find_people</c>): a JSON array of objects.</summary>
    public JsonArray? People { get; init; }

    /// <summary>Why the call failed or found nothing, in the provider's words where it gave any.</summary>
    public string? Reason { get; init; }

    /// <summary>Credits the call cost; null means the provider's <c>CreditsPerCall</c>.</summary>
    public decimal? Credits { get; init; }

    /// <summary>False when no paid request was made (a failure before any answer, a local lookup).</summary>
    public bool Billable { get; init; } = true;

    /// <summary>
    /// True when an attempt timed out or broke off after the request was sent and was not retried because the provider
    /// may have charged it (a paid call of a kind whose calls are not idempotent; docs/api.md §8).
    /// </summary>
    public bool NotRetried { get; init; }

    public static EnrichmentAnswer Failed(string reason, bool billable = false) =>
        new(EnrichmentOutcome.Failed, new Dictionary<string, JsonNode?>()) { Reason = reason, Billable = billable };

    public static EnrichmentAnswer NotFound(string? reason = null) =>
        new(EnrichmentOutcome.NotFound, new Dictionary<string, JsonNode?>()) { Reason = reason };

    /// <summary>Found when any requested field has a value, else not found.</summary>
    public static EnrichmentAnswer Of(IReadOnlyDictionary<string, JsonNode?> fields) =>
        new(fields.Values.Any(HasValue) ? EnrichmentOutcome.Found : EnrichmentOutcome.NotFound, fields);

    /// <summary>True when the value counts as found: not null, not an empty string, list or object.</summary>
    public static bool HasValue(JsonNode? value) => value switch
    {
        null => false,
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => !string.IsNullOrWhiteSpace(v.GetValue<string>()),
        _ => true,
    };
}

/// <summary>
/// A provider's limits and price (docs/api.md §8), its kind's defaults filled in. The limiter that keeps them at run time is
/// <see cref="Limits.ProviderLimiter"/>.
/// </summary>
public sealed record ProviderLimits(int RequestsPerMinute, int MaxConcurrency, TimeSpan Timeout, decimal CreditsPerCall);

/// <summary>
/// A configured enrichment provider (docs/api.md §8). Implementations make the real HTTP call (or the local lookup)
/// with their own retries on 408, 429 and 5xx; the caller around them applies the cache, the budget and the
/// in-flight gate. A call never throws for a bad answer: it returns <see cref="EnrichmentAnswer.Failed"/>.
/// It throws <see cref="ProviderRefusedException"/> on 401/403, <see cref="ProviderPaymentRequiredException"/>
/// on 402, and <see cref="OperationCanceledException"/> only when <c>cancellationToken</c> was cancelled.
/// </summary>
public interface IEnrichmentProvider
{
    /// <summary>The name in configuration (<c>Providers:NAME</c>), used in workflows.</summary>
    string Name { get; }

    /// <summary>Its kind; <see cref="ProviderKinds.ToWire"/> gives the name in configuration (<c>openai_compatible</c>).</summary>
    ProviderKind Kind { get; }

    ProviderLimits Limits { get; }

    /// <summary>True for a local table: free and instant, so no cache, no gate, no budget.</summary>
    bool IsLocal { get; }

    bool Supports(EnrichmentOperation operation);

    Task<EnrichmentAnswer> CallAsync(EnrichmentRequest request, CancellationToken cancellationToken);
}

/// <summary>The provider refused the key (401) or the feature (403): every later call of the block to it fails the same way.</summary>
public sealed class ProviderRefusedException(string provider, int status, string message)
    : Exception($"provider '{provider}' refused the request ({status}): {message}")
{
    public string Provider { get; } = provider;

    public int Status { get; } = status;
}

/// <summary>The provider answered 402 (out of credits): the run pauses until resumed.</summary>
public sealed class ProviderPaymentRequiredException(string provider, string message)
    : Exception($"provider '{provider}' answered 402 Payment Required: {message}")
{
    public string Provider { get; } = provider;
}
