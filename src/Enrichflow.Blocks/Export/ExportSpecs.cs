namespace Enrichflow.Blocks.Export;

/// <summary>Specs of <c>export</c> (docs/api.md §5): where the rows go.</summary>
public sealed record ExportSpecs(ExportDestination? Destination = null);

/// <summary>
/// An export destination. Only <c>type: http</c> exists: rows are POSTed as JSON to <paramref name="Url"/> in batches.
/// </summary>
/// <param name="Type"><c>http</c>.</param>
/// <param name="Url">An absolute http or https URL; checked by the SSRF guard before every connection.</param>
/// <param name="Headers">Extra request headers (name to literal value), e.g. <c>Authorization</c>; never logged.</param>
/// <param name="BatchSize">Rows per request, 1 to 10,000.</param>
/// <param name="MaxAttempts">Attempts per batch (1 to 20) when the destination fails transiently (network error, timeout, 408, 429, 5xx).</param>
/// <param name="TimeoutSeconds">How long one request may take, 1 to 300 seconds.</param>
/// <param name="RetryDelayMs">The delay before the first retry, in milliseconds (0 to 60,000); it doubles with each retry, with jitter, up to 60 seconds. A <c>Retry-After</c> answer overrides it.</param>
public sealed record ExportDestination(
    string? Type = null,
    string? Url = null,
    Dictionary<string, string>? Headers = null,
    int BatchSize = ExportDestination.DefaultBatchSize,
    int MaxAttempts = 6,
    double TimeoutSeconds = 30,
    int RetryDelayMs = 1000)
{
    public const int DefaultBatchSize = 500;

    public const int MaxBatchSize = 10_000;
}
