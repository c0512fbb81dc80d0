using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Enrichflow.Providers;

/// <summary>
/// What a remote provider's call turned into: the JSON of a 2xx answer, or an answer already decided (failed, not
/// found). <see cref="ProviderHttp"/> throws only for 401/403, 402 and the caller's cancellation.
/// </summary>
internal readonly record struct JsonReply(JsonNode? Json, EnrichmentAnswer? Answer, int Status)
{
    [MemberNotNullWhen(false, nameof(Answer))]
    public bool IsJson => Answer is null;
}

/// <summary>A 2xx page (website provider): its text, content type and final URL.</summary>
internal readonly record struct PageReply(string? Html, EnrichmentAnswer? Answer, int Status, Uri? Location)
{
    [MemberNotNullWhen(false, nameof(Answer))]
    public bool IsPage => Answer is null;
}
