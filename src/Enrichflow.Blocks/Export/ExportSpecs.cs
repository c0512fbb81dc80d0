using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Enrichflow.Blocks.Export;

/// <summary>Specs of <c>export</c> (docs/api.md §5): where the rows go.</summary>
public sealed record ExportSpecs(
    [property: Description("Where the rows are sent: {type: http, url, headers, batch_size}.")] ExportDestination? Destination = null);

/// <summary>
/// An export destination. Only <c>type: http</c> exists: rows are POSTed as JSON to <paramref name="Url"/> in batches.
/// </summary>
public sealed record ExportDestination(
    [property: Description("The kind of destination.")][property: AllowedValues("http")] string? Type = null,
    [property: Description("An absolute http or https URL; checked by the SSRF guard before every connection.")] string? Url = null,
    [property: Description("Extra request headers (name to literal value), e.g. Authorization; never logged.")] Dictionary<string, string>? Headers = null,
    [property: Description("Rows per request, 1 to 10,000.")] int BatchSize = ExportDestination.DefaultBatchSize,
    [property: Description("Attempts per batch (1 to 20) when the destination fails transiently (network error, timeout, 408, 429, 5xx).")] int MaxAttempts = 6,
    [property: Description("How long one request may take, 1 to 300 seconds.")] double TimeoutSeconds = 30,
    [property: Description("The delay before the first retry in milliseconds (0 to 60,000); it doubles with each retry, with jitter, up to 60 seconds. A Retry-After answer overrides it.")] int RetryDelayMs = 1000)
{
    public const int DefaultBatchSize = 500;

    public const int MaxBatchSize = 10_000;
}
