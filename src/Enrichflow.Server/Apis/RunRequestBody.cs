using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Server.Http;

namespace Enrichflow.Server.Apis;

/// <summary>
/// The body of a run request, read once: its hash (for <c>Idempotency-Key</c>), whether it holds a
/// <c>webhook_payload</c>, and the raw JSON of the other fields, or the error to answer.
/// </summary>
internal sealed record RunBody(string Hash, RunRequestError? Error, JsonDocument? Document = null, long? ElementCount = null,
    bool PayloadPresent = false, string? SpecsOverrideJson = null, string? CacheConfigJson = null, string? MaxCreditsJson = null);

/// <summary>The fields of a run request besides its payload, checked.</summary>
internal sealed record RunRequestFields(JsonElement? SpecsOverride, CacheConfig CacheConfig, double? MaxCredits = null);

/// <summary>Reads and checks the body of <c>POST /workflows/run</c> and <c>/estimate</c> (docs/api.md §3).</summary>
internal static class RunRequestBody
{
    /// <summary>
    /// For a source that reads the run's payload: streams the body into the run's payload blob (hashing and counting
    /// as it goes), then has the source scan it.
    /// </summary>
    public static async Task<RunBody> ReadPayloadAsync(HttpContext http, IBlobStore blobs, SourceBlock source, Guid runId, long limit, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > limit)
        {
            return new RunBody("", ApiErrors.TooLarge($"The request body is {http.Request.ContentLength} bytes, larger than the limit of {limit} bytes (Limits:MaxPayloadBytes)."));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        await using (var writer = await blobs.CreateAsync(BlobKeys.Payload(runId), cancellationToken))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    return new RunBody("", ApiErrors.TooLarge($"The request body is larger than the limit of {limit} bytes (Limits:MaxPayloadBytes)."));
                }

                hash.AppendData(buffer, 0, read);
                await writer.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await writer.CommitAsync(cancellationToken);
        }

        var digest = Convert.ToHexString(hash.GetHashAndReset());
        try
        {
            await using var stream = await blobs.OpenReadAsync(BlobKeys.Payload(runId), cancellationToken);
            var scan = await source.ScanPayloadAsync(stream, cancellationToken);
            return new RunBody(digest, null, null, scan.ElementCount, scan.PayloadPresent, scan.SpecsOverrideJson, scan.CacheConfigJson, scan.MaxCreditsJson)
            {
                Error = scan.FirstNonObjectIndex is long index
                    ? (RunRequestError)ApiErrors.BadRequest($"webhook_payload[{index}] is {scan.FirstNonObjectKind ?? "not an object"}, not an object; every element must be a JSON object (one row).")
                    : null,
            };
        }
        catch (PayloadFormatException e) when (e.TooLarge)
        {
            return new RunBody(digest, ApiErrors.TooLarge(e.Message));
        }
        catch (PayloadFormatException e)
        {
            return new RunBody(digest, ApiErrors.Unprocessable(["body", e.BytePosition], $"JSON decode error: {e.Message}", "json_invalid"));
        }
    }

    /// <summary>For any other source: reads the (small) body whole.</summary>
    public static async Task<RunBody> ReadSmallAsync(HttpContext http, long limit, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadAsync(http.Request, limit, allowEmpty: true, cancellationToken);
        if (error is not null)
        {
            return new RunBody("", error);
        }

        if (document is null)
        {
            return new RunBody("", null);
        }

        var root = document.RootElement;
        var digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(root.GetRawText())));
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new RunBody(digest, ApiErrors.Unprocessable(["body"], "Input should be a valid dictionary", "dict_type"), document);
        }

        return new RunBody(digest, null, document,
            PayloadPresent: root.TryGetProperty("webhook_payload", out var payload) && payload.ValueKind != JsonValueKind.Null
                && !(payload.ValueKind == JsonValueKind.Array && payload.GetArrayLength() == 0),
            SpecsOverrideJson: root.TryGetProperty("specs_override", out var specs) ? specs.GetRawText() : null,
            CacheConfigJson: root.TryGetProperty("cache_config", out var cache) ? cache.GetRawText() : null,
            MaxCreditsJson: root.TryGetProperty("max_credits", out var max) ? max.GetRawText() : null);
    }

    /// <summary>A request's <c>max_credits</c> (a run's, or a resume's): null when null; a 422 naming it unless a non-negative number.</summary>
    public static double? MaxCredits(JsonElement value, out UnprocessableEntity<ValidationBody>? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || value.GetDouble() < 0)
        {
            error = ApiErrors.Unprocessable(["body", "max_credits"], "Input should be a non-negative number", "float_type");
            return null;
        }

        return value.GetDouble();
    }

    /// <summary>
    /// Checks <c>specs_override</c>, <c>cache_config</c> and <c>max_credits</c>, and that the body has a
    /// <c>webhook_payload</c> exactly when the source reads one. For a source that reads no payload, an empty
    /// <c>webhook_payload</c> list adds no row and is no error (Sixtyfour's clients send <c>[]</c> by default).
    /// </summary>
    public static RunRequestFields ParseFields(RunBody body, PlannedBlock source, out RunRequestError? error)
    {
        error = null;
        JsonElement? specsOverride = null;
        if (body.SpecsOverrideJson is { } specsJson)
        {
            var element = JsonSerializer.Deserialize<JsonElement>(specsJson);
            if (element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                error = ApiErrors.Unprocessable(["body", "specs_override"], "Input should be a valid dictionary", "dict_type");
                return new RunRequestFields(null, new CacheConfig());
            }

            specsOverride = element.ValueKind == JsonValueKind.Object ? element : null;
        }

        var cache = new CacheConfig();
        if (body.CacheConfigJson is { } cacheJson && JsonSerializer.Deserialize<JsonElement>(cacheJson) is { ValueKind: JsonValueKind.Object } cacheElement)
        {
            if (cacheElement.TryGetProperty("enabled", out var enabled))
            {
                if (enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    error = ApiErrors.Unprocessable(["body", "cache_config", "enabled"], "Input should be a valid boolean", "bool_type");
                    return new RunRequestFields(null, cache);
                }

                cache = cache with { Enabled = enabled.GetBoolean() };
            }

            if (cacheElement.TryGetProperty("ttl_days", out var ttl))
            {
                if (ttl.ValueKind != JsonValueKind.Number || !ttl.TryGetInt32(out var days) || days < 0)
                {
                    error = ApiErrors.Unprocessable(["body", "cache_config", "ttl_days"], "Input should be a valid non-negative integer", "int_type");
                    return new RunRequestFields(null, cache);
                }

                cache = cache with { TtlDays = days };
            }
        }

        double? maxCredits = null;
        if (body.MaxCreditsJson is { } maxJson)
        {
            maxCredits = MaxCredits(JsonSerializer.Deserialize<JsonElement>(maxJson), out var maxError);
            if (maxError is not null)
            {
                error = maxError;
                return new RunRequestFields(null, cache);
            }
        }

        if (source.Compiled is SourceBlock { InputKind: SourceInputKind.WebhookPayload })
        {
            if (!body.PayloadPresent)
            {
                error = ApiErrors.BadRequest($"Workflow starts with {source.Type.Name} block '{source.Id}'; the request body needs a webhook_payload (a list of objects, or one object).");
            }
            else if (specsOverride is { } overrides && overrides.TryGetProperty("resource_handle_id", out _))
            {
                error = ApiErrors.BadRequest($"specs_override.resource_handle_id selects an upload, but this workflow starts with {source.Type.Name} block '{source.Id}', which reads webhook_payload.");
            }
        }
        else if (body.PayloadPresent)
        {
            error = ApiErrors.BadRequest($"Workflow starts with {source.Type.Name} block '{source.Id}', which does not take a webhook_payload; upload a file and pass its handle_id in specs_override.resource_handle_id.");
        }

        return new RunRequestFields(specsOverride, cache, maxCredits);
    }
}
