using Enrichflow.Core.Blocks;

namespace Enrichflow.Blocks.Export;

/// <summary>
/// <c>export</c> with <c>destination.type = http</c>: POSTs <c>{run_id, block_id, batch, rows}</c> in batches, each with
/// a stable <c>Idempotency-Key</c>, retrying with backoff; passes every delivered row on (docs/api.md §5).
/// </summary>
public sealed class ExportBlockType : BlockType<ExportSpecs>
{
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Idempotency-Key", "Content-Type", "Content-Length", "Content-Encoding", "Host", "Transfer-Encoding", "Connection", "Expect",
    };

    public override string Name => "export";

    public override string SpecsExample => """
        {"destination": {"type": "http", "url": "https://crm.example.com/api/leads/import", "headers": {"Authorization": "Bearer <token>"}, "batch_size": 500}}
        """;

    public override string Description =>
        "POSTs the rows as JSON ({run_id, block_id, batch, rows}) to destination.url in batches of batch_size (default 500), " +
        "each with the header Idempotency-Key: run:block:batch (batch = chunk * 1000000 + index in chunk, the same on every attempt); " +
        "retries network errors, timeouts, 408, 429 (honouring Retry-After) and 5xx with exponential backoff and jitter; " +
        "another 4xx, or retries running out, fails the batch's rows (to rejects, with the status and the answer). " +
        "Batches already acknowledged are not sent again after a crash. Delivered rows are passed on.";

    protected override CompiledBlock? Compile(ExportSpecs specs, BlockCompileContext context)
    {
        var id = context.Definition.BlockId;
        if (specs.Destination is not { } destination)
        {
            context.AddError("destination", $"Block '{id}': export needs 'destination' ({{\"type\": \"http\", \"url\": ...}}).");
            return null;
        }

        if (!string.Equals(destination.Type?.Trim(), "http", StringComparison.OrdinalIgnoreCase))
        {
            context.AddError(["destination", "type"], destination.Type is null
                ? $"Block '{id}': destination.type is required; the only type is 'http'."
                : $"Block '{id}': destination.type '{destination.Type}' is not supported; the only type is 'http'.");
        }

        var url = CheckUrl(destination.Url, id, context);
        CheckHeaders(destination.Headers, id, context);
        Check(context, "batch_size", destination.BatchSize is >= 1 and <= ExportDestination.MaxBatchSize,
            $"Block '{id}': destination.batch_size must be between 1 and {ExportDestination.MaxBatchSize:N0} (was {destination.BatchSize}).");
        Check(context, "max_attempts", destination.MaxAttempts is >= 1 and <= 20,
            $"Block '{id}': destination.max_attempts must be between 1 and 20 (was {destination.MaxAttempts}).");
        Check(context, "timeout_seconds", destination.TimeoutSeconds is >= 1 and <= 300,
            $"Block '{id}': destination.timeout_seconds must be between 1 and 300 (was {destination.TimeoutSeconds}).");
        Check(context, "retry_delay_ms", destination.RetryDelayMs is >= 0 and <= 60_000,
            $"Block '{id}': destination.retry_delay_ms must be between 0 and 60000 (was {destination.RetryDelayMs}).");

        return url is null ? null : new ExportBlock(new ExportSettings(
            url,
            [.. (destination.Headers ?? []).Select(h => KeyValuePair.Create(h.Key.Trim(), h.Value))],
            destination.BatchSize,
            destination.MaxAttempts,
            TimeSpan.FromSeconds(destination.TimeoutSeconds),
            TimeSpan.FromMilliseconds(destination.RetryDelayMs)));
    }

    private static Uri? CheckUrl(string? text, string id, BlockCompileContext context)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            context.AddError(["destination", "url"], $"Block '{id}': destination.url is required (an http or https URL).");
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url))
        {
            context.AddError(["destination", "url"], $"Block '{id}': destination.url is not an absolute URL; give an http or https URL.");
            return null;
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            context.AddError(["destination", "url"], $"Block '{id}': destination.url has scheme '{url.Scheme}'; only http and https URLs are allowed.");
            return null;
        }

        if (string.IsNullOrEmpty(url.IdnHost))
        {
            context.AddError(["destination", "url"], $"Block '{id}': destination.url has no host.");
            return null;
        }

        return url;
    }

    private static void CheckHeaders(Dictionary<string, string>? headers, string id, BlockCompileContext context)
    {
        foreach (var (name, value) in headers ?? [])
        {
            var trimmed = name.Trim();
            if (trimmed.Length == 0 || !trimmed.All(IsTokenChar))
            {
                context.AddError(["destination", "headers", name], $"Block '{id}': destination.headers has an invalid header name '{name}'.");
            }
            else if (ReservedHeaders.Contains(trimmed))
            {
                context.AddError(["destination", "headers", name], $"Block '{id}': destination.headers may not set '{trimmed}'; export sets it.");
            }
            else if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                // The value may be a secret: the message names the header, never the value.
                context.AddError(["destination", "headers", name], $"Block '{id}': the value of header '{trimmed}' contains a line break.");
            }
        }
    }

    private static void Check(BlockCompileContext context, string field, bool ok, string message)
    {
        if (!ok)
        {
            context.AddError(["destination", field], message);
        }
    }

    /// <summary>RFC 9110 token characters.</summary>
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}

/// <summary>The checked destination of an export block.</summary>
internal sealed record ExportSettings(
    Uri Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    int BatchSize,
    int MaxAttempts,
    TimeSpan Timeout,
    TimeSpan RetryDelay);
